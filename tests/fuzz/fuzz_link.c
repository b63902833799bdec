/*
 * fuzz_link.c: libFuzzer target for tc_link_ip_offset().  The first input
 * byte picks the link type (from the supported ones plus one that is
 * not), the rest is the frame.  Whatever the frame, the result is an
 * offset inside it at which an IP version nibble sits, or one of the
 * TC_LINK_* reasons.  A failed check calls abort().
 */
#include "tc_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tc_link.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dlts[] = {
        TC_DLT_EN10MB,   TC_DLT_LINUX_SLL, TC_DLT_LINUX_SLL2, TC_DLT_RAW,
        TC_DLT_RAW_FILE, TC_DLT_IPV4,      TC_DLT_IPV6,       105,
        TC_DLT_NULL,     TC_DLT_LOOP,
    };
    uint8_t *frame;
    size_t   len;
    int      dlt, rc, v;

    if (size == 0) {
        return 0;
    }
    dlt = dlts[data[0] % tc_nelems(dlts)];
    len = size - 1;

    /* exact-size heap copy: ASan sees a read one byte past the frame */
    frame = malloc(len ? len : 1);
    if (frame == NULL) {
        return 0;
    }
    memcpy(frame, data + 1, len);

    rc = tc_link_ip_offset(dlt, frame, len);
    F_CHECK(rc >= 0 || rc == TC_LINK_NOT_IP || rc == TC_LINK_TRUNCATED ||
            rc == TC_LINK_UNSUPPORTED);
    F_CHECK((rc == TC_LINK_UNSUPPORTED) == !tc_link_supported(dlt));
    if (rc >= 0) {
        F_CHECK((size_t) rc < len);
        v = frame[rc] >> 4;
        F_CHECK(v == 4 || v == 6);
    }

    free(frame);
    return 0;
}
