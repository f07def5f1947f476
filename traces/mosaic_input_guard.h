/* mosaic_input_guard: a crash inside libhdf5 on a damaged input file becomes one clear error.
 *
 * libhdf5 1.10 does not check every size it reads from a file: some damaged files make it crash
 * (fuzzing found a local-heap size it allocates and copies into unchecked; tests/traces/fuzz-findings/).
 * We check what we can before HDF5 reads it (mosaic_h5_heap.h), but not every structure of the format.
 * So the traces layer marks the stretches where libhdf5 parses an input file, and a program that
 * installs the guard turns a crash (SIGSEGV, SIGBUS, SIGFPE) inside such a stretch into
 * "FILE: libhdf5 crashed reading it ..." and exit status 2. A crash anywhere else stays a crash. */
#ifndef MOSAIC_INPUT_GUARD_H
#define MOSAIC_INPUT_GUARD_H

/* Marks the start of a stretch in which libhdf5 parses `path` (which must stay valid until the
 * matching leave); returns the enclosing mark, to pass to mosaic_input_leave. Nests. */
const char *mosaic_input_enter(const char *path);
void mosaic_input_leave(const char *enclosing);

/* Installs the crash handlers (once per process); `program` prefixes the message. */
void mosaic_input_guard_install(const char *program);

#endif
