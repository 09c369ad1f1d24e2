/* zh-reader.h: a read-only connection to the offline copy shared by the workers of one view. */
#pragma once

#include <glib.h>

#include "zh-store.h"

G_BEGIN_DECLS

/* ZhReader: the copy's path and its read-only store, opened by the first worker that needs it.
 * Reference-counted (g_atomic_rc_box_acquire / zh_reader_unref), so a worker still reading keeps
 * it after the view has moved on; workers take @lock around zh_reader_get_store and their reads. */
typedef struct
{
  GMutex   lock;
  char    *path;
  ZhStore *store;
} ZhReader;

ZhReader *zh_reader_new       (const char  *path);
void      zh_reader_unref     (ZhReader    *reader);
ZhStore  *zh_reader_get_store (ZhReader    *reader,
                               GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ZhReader, zh_reader_unref)

G_END_DECLS
