/* zh-sync.h: ZhSync — one account's sync between its offline copy and the service (docs/sync.md).
 *
 * A sync pushes the outbox in batches, then pulls the changes feed from the stored cursor, each
 * page applied in one transaction in a worker thread while the next page is fetched and parsed.
 * Never two syncs at once: a sync asked for while one runs is run once more right after it.
 * Properties say what the window shows: online, offline since, changes waiting, refused, in
 * conflict, the last sync. zh_sync_start adds the schedule: a sync at start, after edits
 * (debounced), periodically, when the network comes back, and — while the service is away — a
 * reachability probe with exponential backoff and jitter.
 */
#pragma once

#include <gio/gio.h>

#include "zh-client.h"
#include "zh-offline.h"

G_BEGIN_DECLS

/* Operations per POST /batch, and changes per page of the feed. */
#define ZH_SYNC_BATCH_SIZE 200
#define ZH_SYNC_PAGE_SIZE  5000

#define ZH_TYPE_SYNC (zh_sync_get_type ())
G_DECLARE_FINAL_TYPE (ZhSync, zh_sync, ZH, SYNC, GObject)

ZhSync     *zh_sync_new               (ZhOffline           *offline,
                                       ZhClient            *client);
ZhOffline  *zh_sync_get_offline       (ZhSync              *self);
ZhClient   *zh_sync_get_client        (ZhSync              *self);

void        zh_sync_run_async         (ZhSync              *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean    zh_sync_run_finish        (ZhSync              *self,
                                       GAsyncResult        *result,
                                       GError             **error);
void        zh_sync_cancel            (ZhSync              *self);

void        zh_sync_set_page_size     (ZhSync              *self,
                                       guint                page_size);
void        zh_sync_set_batch_size    (ZhSync              *self,
                                       guint                batch_size);

gboolean    zh_sync_get_online        (ZhSync              *self);
gint64      zh_sync_get_offline_since (ZhSync              *self);
guint       zh_sync_get_n_waiting     (ZhSync              *self);
guint       zh_sync_get_n_rejected    (ZhSync              *self);
guint       zh_sync_get_n_conflicts   (ZhSync              *self);
gint64      zh_sync_get_last_sync     (ZhSync              *self);
gboolean    zh_sync_get_syncing       (ZhSync              *self);
const char *zh_sync_get_last_error    (ZhSync              *self);

/* The schedule (milliseconds). */
void        zh_sync_set_schedule      (ZhSync              *self,
                                       guint                debounce_ms,
                                       guint                period_ms,
                                       guint                backoff_min_ms,
                                       guint                backoff_max_ms);
void        zh_sync_start             (ZhSync              *self);
void        zh_sync_stop              (ZhSync              *self);

G_END_DECLS
