/*
 * tc_mapguard.h: keeps a read-only file mapping readable when the file
 * shrinks under it.
 *
 * A page of a mapping that lies past the file's new end raises SIGBUS when
 * touched, which would kill the process.  That happens to tcpcopy --offline
 * when the file it replays is rewritten meanwhile: a new `tcpdump -w` on
 * the same name, a -C/-W ring wrapping around.  For a guarded mapping the
 * SIGBUS handler maps zero pages over the rest of the range and marks the
 * guard; the reader sees the mark at its next record and stops with a
 * message.  A fault anywhere else keeps its previous handling (a crash).
 */
#ifndef TC_MAPGUARD_H_INCLUDED
#define TC_MAPGUARD_H_INCLUDED

#include "tc_core.h"

/* Guards [addr, addr + len), a mapping of a file.  Returns the guard's id
 * (>= 0), or TC_ERROR when every slot is taken or the handler cannot be
 * installed (the mapping is then unguarded, as before). */
int tc_mapguard_add(const void *addr, size_t len);

/* True once part of guard id's range was past the end of the file (it now
 * reads as zeros). */
bool tc_mapguard_hit(int id);

/* Forgets guard id (before the mapping is undone).  id < 0 is ignored. */
void tc_mapguard_remove(int id);

#endif /* TC_MAPGUARD_H_INCLUDED */
