/*
 * onefile.c: runs a libFuzzer target over files and directories given on
 * the command line, without libFuzzer (so `make check` replays the corpus
 * with any compiler).  Prints "N passed, 0 failed": a crash aborts instead.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned replayed;


static int
run_file(const char *path)
{
    FILE    *f;
    uint8_t *buf;
    long     len;

    f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* Exact-size heap copy so ASan catches any read past the input. */
    buf = malloc(len > 0 ? (size_t) len : 1);
    if (buf == NULL ||
        (len > 0 && fread(buf, 1, (size_t) len, f) != (size_t) len)) {
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t) len);
    free(buf);
    replayed++;
    return 0;
}


static int
run_path(const char *path)
{
    struct stat    st;
    DIR           *d;
    struct dirent *e;
    char           child[4096];
    int            rc = 0;

    if (stat(path, &st) == -1) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return run_file(path);
    }
    d = opendir(path);
    if (d == NULL) {
        perror(path);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        rc |= run_path(child);
    }
    closedir(d);
    return rc;
}


int
main(int argc, char **argv)
{
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        rc |= run_path(argv[i]);
    }
    printf("replayed %u inputs\n", replayed);
    return rc == 0 && replayed > 0 ? 0 : 1;
}
