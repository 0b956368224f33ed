// Process-wide libcurl initialisation (curl_global_init), done once.
#pragma once

namespace sluiced::net {

// Calls curl_global_init(CURL_GLOBAL_DEFAULT) the first time; later calls do
// nothing. Safe from any thread. Aborts the process if libcurl cannot
// initialise (nothing HTTP would work).
void ensure_curl_global_init();

}  // namespace sluiced::net
