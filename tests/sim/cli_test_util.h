/* Running the `mosaic` program from a test: the command runs in `dir` with stdout and stderr captured
 * (and echoed, so a failing test shows what the program said); returns its exit status. */
#ifndef CLI_TEST_UTIL_H
#define CLI_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <string>

static inline int cli_test_run(const std::string &dir, const std::string &cmd, std::string *out) {
    const std::string full = "cd " + dir + " && " + cmd + " > out.txt 2>&1";
    const int status = system(full.c_str());
    std::string text;
    FILE *f = fopen((dir + "/out.txt").c_str(), "r");
    char buf[4096];
    size_t n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    if (f) fclose(f);
    if (out) *out = text;
    printf("$ %s\n%s", cmd.c_str(), text.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
