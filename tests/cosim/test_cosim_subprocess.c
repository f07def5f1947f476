/* The simulator runs as a child process: its success, failure, crash and hang are all told apart. */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "mosaic_subprocess.h"
#include "mosaic_test.h"

int main(void) {
    MosaicProc p;
    MosaicErr err;
    char desc[128];
    char log[] = "test_cosim_subprocess.log";
    remove(log);

    TEST("SuccessAndExitCodeAndLog") {
        char *ok[] = {"sh", "-c", "echo hello-from-child; exit 0", NULL};
        CHECK(mosaic_proc_start(&p, ok, log, 10, &err) == MOSAIC_OK);
        CHECK(mosaic_proc_wait(&p) == MOSAIC_PROC_EXITED);
        CHECK_EQ_INT(p.exit_code, 0);
        char *fail[] = {"sh", "-c", "exit 3", NULL};
        CHECK(mosaic_proc_start(&p, fail, log, 10, &err) == MOSAIC_OK);
        CHECK(mosaic_proc_wait(&p) == MOSAIC_PROC_EXITED);
        CHECK_EQ_INT(p.exit_code, 3);
        mosaic_proc_describe(&p, desc, sizeof desc);
        CHECK(strcmp(desc, "exited 3") == 0);
        FILE *fp = fopen(log, "r");
        char line[64] = {0};
        CHECK(fp && fgets(line, sizeof line, fp) && strstr(line, "hello-from-child"));
        if (fp) fclose(fp);
    }
    TEST("CrashIsASignal") {
        char *crash[] = {"sh", "-c", "kill -SEGV $$", NULL};
        CHECK(mosaic_proc_start(&p, crash, NULL, 10, &err) == MOSAIC_OK);
        CHECK(mosaic_proc_wait(&p) == MOSAIC_PROC_SIGNALED);
        CHECK_EQ_INT(p.signal, 11);
        mosaic_proc_describe(&p, desc, sizeof desc);
        CHECK(strstr(desc, "signal 11") != NULL);
    }
    TEST("HangIsKilledAtTheTimeLimit") {
        char *hang[] = {"sleep", "30", NULL};
        CHECK(mosaic_proc_start(&p, hang, NULL, 0.3, &err) == MOSAIC_OK);
        CHECK(mosaic_proc_poll(&p) == MOSAIC_PROC_RUNNING); /* never blocks */
        CHECK(mosaic_proc_wait(&p) == MOSAIC_PROC_TIMEOUT);
        CHECK(p.elapsed_s < 5);
        mosaic_proc_describe(&p, desc, sizeof desc);
        CHECK(strstr(desc, "timed out") != NULL);
    }
    TEST("KilledFromOutsideMidRun") {
        char *hang[] = {"sleep", "30", NULL};
        CHECK(mosaic_proc_start(&p, hang, NULL, 0, &err) == MOSAIC_OK);
        mosaic_proc_kill(&p);
        CHECK(p.state == MOSAIC_PROC_SIGNALED);
        CHECK_EQ_INT(p.signal, 9);
    }
    TEST("MissingProgramIsAnIoErrorNamingIt") {
        char *missing[] = {"/nonexistent/mosaic", "sim", NULL};
        CHECK(mosaic_proc_start(&p, missing, NULL, 1, &err) == MOSAIC_ERR_IO);
        CHECK(strstr(err.msg, "/nonexistent/mosaic") != NULL);
    }
    remove(log);
    return mosaic_test_finish();
}
