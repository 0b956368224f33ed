#include "source/transport.h"

namespace sluiced::source {

Transport::~Transport() = default;

}  // namespace sluiced::source
