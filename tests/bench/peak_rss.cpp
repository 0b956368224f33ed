// Runs a command and reports its peak RSS, for run_bench.py.
//
//   bench_peak_rss OUTFILE CMD ARGS...
//
// Writes "<ru_maxrss KiB>\n" to OUTFILE and exits with the command's
// status. Needed because Linux counts a child's pre-exec memory in its
// ru_maxrss: a child forked from the Python harness would report at least
// the harness's own RSS. Forked from this small process, the floor is ~1 MiB.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_peak_rss OUTFILE CMD ARGS...\n");
        return 2;
    }
    pid_t pid = ::fork();
    if (pid < 0) return 125;
    if (pid == 0) {
        ::execvp(argv[2], argv + 2);
        std::perror(argv[2]);
        ::_exit(127);
    }
    int status = 0;
    struct rusage ru{};
    while (::wait4(pid, &status, 0, &ru) < 0) {
    }
    if (FILE* f = std::fopen(argv[1], "w")) {
        std::fprintf(f, "%ld\n", ru.ru_maxrss);
        std::fclose(f);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
