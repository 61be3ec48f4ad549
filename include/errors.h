/* errors.h: the shared error list. Functions that do something return 0 or
 * one of these (negative); functions that hand back a pointer return NULL. */
#ifndef VLSOS_ERRORS_H
#define VLSOS_ERRORS_H

#define ERR_INVAL (-1)     /* an argument is out of range or misaligned */
#define ERR_NOMEM (-2)     /* no memory left for the request */
#define ERR_EXIST (-3)     /* already there (e.g. a page already mapped) */
#define ERR_NOTMAPPED (-4) /* no mapping at that address */
#define ERR_BUSY (-5)      /* still in use (e.g. a cache with live objects) */

#endif
