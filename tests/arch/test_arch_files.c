/* Atomic text files and directory creation: a failed write never touches the real file. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mosaic_files.h"
#include "mosaic_test.h"

static int read_all_(const char *path, char *buf, size_t n) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    size_t got = fread(buf, 1, n - 1, fp);
    buf[got] = 0;
    fclose(fp);
    return (int)got;
}

int main(void) {
    MosaicErr err;
    char buf[256];
    TEST("WritesAndReplacesAtomically") {
        CHECK(mosaic_mkdirs("files_test/a/b", &err) == MOSAIC_OK);
        CHECK(mosaic_mkdirs("files_test/a/b", &err) == MOSAIC_OK); /* existing is fine */
        CHECK(mosaic_write_text_atomic("files_test/a/b/x.txt", "first\n", &err) == MOSAIC_OK);
        CHECK(mosaic_write_text_atomic("files_test/a/b/x.txt", "second\n", &err) == MOSAIC_OK);
        CHECK(read_all_("files_test/a/b/x.txt", buf, sizeof buf) == 7 && !strcmp(buf, "second\n"));
    }
    TEST("FailureLeavesTheOldFileAndNamesThePath") {
        /* a directory where the temporary file would go cannot be written: make the target's directory
         * read-only is not reliable as root, so write into a missing directory instead */
        CHECK(mosaic_write_text_atomic("files_test/missing/x.txt", "data", &err) == MOSAIC_ERR_IO);
        CHECK(strstr(err.msg, "files_test/missing/x.txt") != NULL);
        FILE *fp = fopen("files_test/file", "w");
        if (fp) fclose(fp);
        CHECK(mosaic_mkdirs("files_test/file", &err) == MOSAIC_ERR_IO);
        CHECK(strstr(err.msg, "not a directory") != NULL);
        CHECK(read_all_("files_test/a/b/x.txt", buf, sizeof buf) == 7);
    }
    TEST("AnInterruptRemovesTheTrackedTemporaryFiles") {
        /* a child tracks two temporary files, finishes one, and is interrupted while writing the other */
        CHECK(mosaic_write_text_atomic("files_test/busy.tmp-1", "half", &err) == MOSAIC_OK);
        CHECK(mosaic_write_text_atomic("files_test/done.tmp-1", "kept", &err) == MOSAIC_OK);
        /* and a scratch folder (dataset make's espeak WAVs), tracked before the file made in it */
        CHECK(mosaic_mkdirs("files_test/scratch", &err) == MOSAIC_OK);
        CHECK(mosaic_write_text_atomic("files_test/scratch/u1.wav", "wav", &err) == MOSAIC_OK);
        const pid_t pid = fork();
        if (pid == 0) {
            mosaic_interrupt_install();
            (void)mosaic_tmp_track_dir("files_test/scratch");
            (void)mosaic_tmp_track("files_test/scratch/u1.wav");
            const int busy = mosaic_tmp_track("files_test/busy.tmp-1");
            const int done = mosaic_tmp_track("files_test/done.tmp-1");
            mosaic_tmp_untrack(done); /* renamed in real use: no longer ours to remove */
            (void)busy;
            raise(SIGTERM);
            _exit(0); /* not reached: the handler dies of the signal */
        }
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM); /* it still dies of the signal */
        struct stat sb;
        CHECK(stat("files_test/busy.tmp-1", &sb) != 0);
        CHECK(stat("files_test/done.tmp-1", &sb) == 0);
        CHECK(stat("files_test/scratch", &sb) != 0); /* emptied, then removed */
    }
    TEST("AWriteRemovesTheTemporariesOfProcessesThatNoLongerExist") {
        /* a SIGKILLed process cannot remove its temporary file; the next write of that result does */
        const pid_t dead = fork();
        if (dead == 0) _exit(0);
        CHECK(waitpid(dead, NULL, 0) == dead); /* reaped: its pid names no process */
        char stale[256], live[256], other[256], name[256];
        CHECK(mosaic_tmp_name_of("files_test/r.h5", "tmp", (long)dead, stale, sizeof stale) == 0);
        snprintf(name, sizeof name, "files_test/r.h5.tmp-%ld", (long)dead);
        CHECK(!strcmp(stale, name));
        CHECK(mosaic_tmp_name_of("files_test/r.h5", "tmp", (long)getppid(), live, sizeof live) == 0);
        snprintf(other, sizeof other, "files_test/r.h5.tmp-%ld.vcd", (long)dead); /* not ours: a suffix */
        char recent[256];
        snprintf(recent, sizeof recent, "files_test/r.h5.tmp-%ld", (long)dead + 1000000);
        CHECK(mosaic_write_text_atomic(stale, "left by a killed run", &err) == MOSAIC_OK);
        CHECK(mosaic_write_text_atomic(live, "a running writer's", &err) == MOSAIC_OK);
        CHECK(mosaic_write_text_atomic(other, "kept", &err) == MOSAIC_OK);
        CHECK(mosaic_write_text_atomic("files_test/rr.h5.tmp-1", "another result's", &err) == MOSAIC_OK);
        /* no process has that pid here, but the file was just written: a writer elsewhere (another pid
         * namespace or host sharing the folder) may still be at it */
        CHECK(mosaic_write_text_atomic(recent, "written a moment ago", &err) == MOSAIC_OK);
        const struct timeval old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
        CHECK(utimes(stale, old) == 0 && utimes(live, old) == 0);
        CHECK(mosaic_tmp_name("files_test/r.h5", "tmp", name, sizeof name) == 0);
        char own[256];
        CHECK(mosaic_tmp_name_of("files_test/r.h5", "tmp", (long)getpid(), own, sizeof own) == 0);
        CHECK(!strcmp(name, own));
        struct stat sb;
        CHECK(stat(stale, &sb) != 0);
        CHECK(stat(recent, &sb) == 0);
        CHECK(stat(live, &sb) == 0);
        CHECK(stat(other, &sb) == 0);
        CHECK(stat("files_test/rr.h5.tmp-1", &sb) == 0);
        CHECK(mosaic_tmp_name("files_test/r.h5", "tmp", name, 8) == -1); /* does not fit */
    }
    return mosaic_test_finish();
}
