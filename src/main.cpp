// sluiced entry point: hands the command line to cli::main (src/cli/).
int sluiced_cli_main(int argc, char** argv);
int main(int argc, char** argv) { return sluiced_cli_main(argc, argv); }
