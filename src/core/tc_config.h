/*
 * tc_config.h: the first header every .c file includes.  It pulls in the
 * capabilities ./configure detected (objs/tc_auto_config.h, every TC_HAVE_X
 * defined as 0 or 1) and the feature macros the system headers need.
 */
#ifndef TC_CONFIG_H_INCLUDED
#define TC_CONFIG_H_INCLUDED

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "tc_auto_config.h"

#ifndef TC_DEBUG
#define TC_DEBUG 0
#endif

#endif /* TC_CONFIG_H_INCLUDED */
