/* mosaic_test_yaml.h: checks on the YAML our configuration writer produces, shared by the tests of the
 * architecture and training configurations. */
#ifndef MOSAIC_TEST_YAML_H
#define MOSAIC_TEST_YAML_H

#include <stdio.h>
#include <string.h>

/* 0 when no mapping in the block-style YAML `text` (two spaces per level, "key: value" or "key:" lines,
 * "# ..." comments) holds the same key twice; else 1 and the repeated key's line in `what`. Strict YAML
 * parsers refuse such a file and PyYAML keeps only the last of the two sections. */
static inline int mosaic_test_yaml_duplicate_key(const char *text, char *what, size_t what_size) {
    enum { DEPTH = 16, KEYS = 1024 };
    char path[DEPTH][128];            /* the open sections, by depth */
    static char seen[KEYS][16 * 128]; /* full dotted keys seen so far (leaves and sections) */
    int nseen = 0;
    for (const char *line = text; line && *line;) {
        const char *eol = strchr(line, '\n');
        const size_t len = eol ? (size_t)(eol - line) : strlen(line);
        size_t indent = 0;
        while (indent < len && line[indent] == ' ') indent++;
        const char *colon = memchr(line, ':', len);
        if (indent < len && line[indent] != '#' && colon && indent / 2 < DEPTH) {
            const int depth = (int)(indent / 2);
            snprintf(path[depth], sizeof path[depth], "%.*s", (int)(colon - line - (long)indent),
                     line + indent);
            char full[16 * 128] = "";
            for (int d = 0; d <= depth; d++) {
                strncat(full, path[d], sizeof full - strlen(full) - 1);
                if (d < depth) strncat(full, ".", sizeof full - strlen(full) - 1);
            }
            for (int i = 0; i < nseen; i++)
                if (!strcmp(seen[i], full)) {
                    snprintf(what, what_size, "%.*s", (int)len, line);
                    return 1;
                }
            if (nseen < KEYS) snprintf(seen[nseen++], sizeof seen[0], "%s", full);
        }
        line = eol ? eol + 1 : NULL;
    }
    return 0;
}

#endif
