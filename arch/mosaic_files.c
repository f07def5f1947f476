#define _POSIX_C_SOURCE 200809L
#include "mosaic_files.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

MosaicStatus mosaic_write_file_atomic(const char *path, const void *data, size_t len, MosaicErr *err) {
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "%s: path too long", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp) return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    int ok = fwrite(data, 1, len, fp) == len;
    int saved = errno;
    ok &= fflush(fp) == 0;
    ok &= fclose(fp) == 0;
    if (ok && rename(tmp, path) == 0) return MOSAIC_OK;
    if (!saved) saved = errno;
    unlink(tmp);
    return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot write: %s", path, strerror(saved));
}

MosaicStatus mosaic_write_text_atomic(const char *path, const char *text, MosaicErr *err) {
    return mosaic_write_file_atomic(path, text, strlen(text), err);
}

MosaicStatus mosaic_mkdirs(const char *path, MosaicErr *err) {
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return mosaic_err(err, MOSAIC_ERR_INPUT, "'%s': not a usable directory name", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return mosaic_err(err, MOSAIC_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        buf[i] = c;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return mosaic_err(err, MOSAIC_ERR_IO, "%s: exists and is not a directory", path);
    return MOSAIC_OK;
}
