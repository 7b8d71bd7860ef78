#pragma once

namespace parley::app {

/// The `parley` command line:
///   parley serve [--config FILE] [--listen ADDR:PORT] [--data DIR]
///   parley token [--config FILE] --site S --role R --sub ID [--ttl SECONDS] [--name NAME]
///                [--departments A,B]
///   parley --version | --help
/// @return the process exit code: 0 success, 1 runtime failure, 2 bad usage or config.
int run_cli(int argc, char** argv);

} // namespace parley::app
