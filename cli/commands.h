/* commands: the subcommands of the `mosaic` program. Each returns the process exit code:
 * 0 success, 1 a "no" answer (e.g. not mappable), 2 bad input, 3 I/O or internal failure.
 * To add one: declare it here, add a row to the table in mosaic.c, implement it in cmd_<name>.c. */
#ifndef MOSAIC_COMMANDS_H
#define MOSAIC_COMMANDS_H

#ifdef __cplusplus
extern "C" {
#endif

int mosaic_cmd_arch(int argc, char **argv);
int mosaic_cmd_config(int argc, char **argv);
int mosaic_cmd_proxy_check(int argc, char **argv);
int mosaic_cmd_cosim(int argc, char **argv);
int mosaic_cmd_dataset_make(int argc, char **argv);
int mosaic_cmd_map(int argc, char **argv);
int mosaic_cmd_dataset(int argc, char **argv);
int mosaic_cmd_dataset_synth(int argc, char **argv);
int mosaic_cmd_train(int argc, char **argv);
int mosaic_cmd_eval(int argc, char **argv);
int mosaic_cmd_sim(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
