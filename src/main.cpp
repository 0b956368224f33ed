// sluiced entry point: hands the command line to cli::main (src/cli/).
#include <malloc.h>

int sluiced_cli_main(int argc, char** argv);

int main(int argc, char** argv) {
    // Big short-lived buffers (a run's arena blocks, curl's receive buffer,
    // response bodies) are mmapped and returned on free. Without a fixed
    // threshold glibc raises it after the first such free, and those
    // buffers then fragment the heap of a long-running daemon (W3: RSS grew
    // from 61 to 126 MiB over a minute with 1,000 pipelines).
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    return sluiced_cli_main(argc, argv);
}
