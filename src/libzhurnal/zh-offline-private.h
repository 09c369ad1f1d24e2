/* zh-offline-private.h: what ZhSync needs of the offline copy — taking a batch from the outbox,
 * recording the service's answers, and applying pages of the changes feed (docs/sync.md). */
#pragma once

#include "zh-client.h"
#include "zh-offline.h"

G_BEGIN_DECLS

/* The meta key of the sync cursor: the rev of the last change applied. */
#define ZH_OFFLINE_META_CURSOR "sync_cursor"

GPtrArray *_zh_offline_take_batch     (ZhOffline      *self,
                                       guint           max_operations,
                                       GError        **error);
gboolean   _zh_offline_apply_results  (ZhOffline      *self,
                                       GPtrArray      *operations,
                                       GPtrArray      *results,
                                       GError        **error);
ZhStore   *_zh_offline_open_writer    (const char     *path,
                                       GError        **error);
guint      _zh_offline_writer_wal_frames (ZhStore     *writer);
gboolean   _zh_offline_checkpoint     (ZhStore        *store,
                                       GError        **error);
gboolean   _zh_offline_apply_page     (ZhStore        *store,
                                       ZhChangesPage  *page,
                                       GError        **error);
gboolean   _zh_offline_count_dangling (ZhStore        *store,
                                       guint          *n_dangling,
                                       GError        **error);
gint64     _zh_offline_store_get_cursor (ZhStore      *store);
gboolean   _zh_offline_has_deferred_indexes (ZhOffline *self);
gboolean   _zh_offline_restore_indexes (ZhStore       *store,
                                        GError       **error);
void       _zh_offline_emit_changed   (ZhOffline      *self);

G_END_DECLS
