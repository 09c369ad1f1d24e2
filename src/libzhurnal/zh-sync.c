/* zh-sync.c: ZhSync — push the outbox, pull the changes feed (pipelined), report the state, and
 * schedule syncs with backoff (docs/sync.md). */
#define G_LOG_DOMAIN "zh-sync"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "zh-offline-private.h"
#include "zh-sync.h"

#define DEFAULT_DEBOUNCE_MS    2000
#define DEFAULT_PERIOD_MS      (5 * 60 * 1000)
#define DEFAULT_BACKOFF_MIN_MS 1000
#define DEFAULT_BACKOFF_MAX_MS (5 * 60 * 1000)

typedef struct _Run Run;

struct _ZhSync
{
  GObject          parent_instance;

  ZhOffline       *offline;
  ZhClient        *client;
  ZhStore         *writer;          /* pages are written through it, in worker threads, one at a time */
  ZhStore         *checkpointer;    /* copies the writer's WAL into the database, in a worker */
  gboolean         checkpointing;
  ZhStore         *checker;         /* reads the references of the copy when a sync wrote rows */
  guint            page_size;
  guint            batch_size;

  gboolean         online;
  gint64           offline_since;
  guint            n_waiting;
  guint            n_rejected;
  guint            n_conflicts;
  gint64           last_sync;
  char            *last_error;

  Run             *run;             /* the sync running, or NULL */
  GPtrArray       *waiting;         /* GTask *: callers of the sync after the running one */

  /* The schedule. */
  gboolean         started;
  guint            debounce_ms;
  guint            period_ms;
  guint            backoff_min_ms;
  guint            backoff_max_ms;
  guint            timer_id;
  gint64           timer_due;       /* monotonic µs */
  guint            failures;        /* consecutive syncs or probes that found the service away */
  GNetworkMonitor *monitor;
  GCancellable    *probe_cancellable;
};

struct _Run
{
  ZhSync        *self;              /* (owned) */
  GPtrArray     *tasks;             /* GTask *, the callers */
  GCancellable  *cancellable;       /* the whole run: cancelled by the caller or a failed write */
  GCancellable  *fetch_cancellable; /* the pages asked for: also when one of them fails, while the
                                     * page being written is written to its end */
  gulong         fetch_cancel_id;
  GError        *error;
  gboolean       pushing;
  GPtrArray     *batch;             /* operations in flight */
  gint64         cursor;            /* the `since` of the next fetch, once known */
  gboolean       cursor_known;      /* the page before the next fetch has told its `next` */
  gboolean       more;              /* … and that more changes wait */
  GQueue         fetches;           /* Fetch *, in the order asked: in flight, or fetched and
                                     * parsed and waiting for the writer */
  ZhChangesPage *writing;           /* the page a worker is writing */
  guint64        rows;
  guint          dangling;
  guint          finishing;         /* the steps after the last page still running */
};

enum
{
  PROP_0,
  PROP_ONLINE,
  PROP_OFFLINE_SINCE,
  PROP_N_WAITING,
  PROP_N_REJECTED,
  PROP_N_CONFLICTS,
  PROP_LAST_SYNC,
  PROP_SYNCING,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  PROGRESS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ZhSync, zh_sync, G_TYPE_OBJECT)

/* A page of the changes feed asked for: in flight until @page or @done is set. */
typedef struct
{
  Run           *run;
  gint64         since;
  gboolean       done;              /* its reply is in (@page, or an error the run holds) */
  ZhChangesPage *page;
  gboolean       ahead;             /* its `next` and `more` came before the page was read */
  gint64         ahead_next;
  gboolean       ahead_more;
} Fetch;

/* Pages asked for before the writer takes them: the one being parsed and the one the service
 * is making while the writer writes a third. */
#define FETCHES_AHEAD 2

static void
fetch_free (gpointer data)
{
  Fetch *fetch = data;

  g_clear_pointer (&fetch->page, zh_changes_page_free);
  g_free (fetch);
}

static void run_start (Run *run);
static void schedule (ZhSync *self, guint delay_ms);
static void update_counts (ZhSync *self);

/* ---- the object ----------------------------------------------------------------------------- */

static void
outbox_changed_cb (ZhOffline *offline,
                   ZhSync    *self)
{
  update_counts (self);
  /* Answers recorded by the running push are no new edits; edits made later wait for a debounce. */
  if (self->started && (self->run == NULL || !self->run->pushing))
    schedule (self, self->debounce_ms);
}

static void
zh_sync_dispose (GObject *object)
{
  ZhSync *self = ZH_SYNC (object);

  zh_sync_stop (self);
  if (self->offline != NULL)
    g_signal_handlers_disconnect_by_func (self->offline, outbox_changed_cb, self);
  g_clear_object (&self->offline);
  g_clear_object (&self->client);
  g_clear_object (&self->writer);
  g_clear_object (&self->checkpointer);
  g_clear_object (&self->checker);

  G_OBJECT_CLASS (zh_sync_parent_class)->dispose (object);
}

static void
zh_sync_finalize (GObject *object)
{
  ZhSync *self = ZH_SYNC (object);

  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->last_error, g_free);

  G_OBJECT_CLASS (zh_sync_parent_class)->finalize (object);
}

static void
zh_sync_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  ZhSync *self = ZH_SYNC (object);

  switch (prop_id)
    {
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_OFFLINE_SINCE:
      g_value_set_int64 (value, self->offline_since);
      break;
    case PROP_N_WAITING:
      g_value_set_uint (value, self->n_waiting);
      break;
    case PROP_N_REJECTED:
      g_value_set_uint (value, self->n_rejected);
      break;
    case PROP_N_CONFLICTS:
      g_value_set_uint (value, self->n_conflicts);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_SYNCING:
      g_value_set_boolean (value, self->run != NULL);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zh_sync_class_init (ZhSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = zh_sync_dispose;
  object_class->finalize = zh_sync_finalize;
  object_class->get_property = zh_sync_get_property;

  /* Whether the service answered the last request (FALSE until it first does). */
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE, flags);
  /* Since when (seconds since the epoch) the service has not been reachable; 0 while online. */
  properties[PROP_OFFLINE_SINCE] = g_param_spec_int64 ("offline-since", NULL, NULL,
                                                       0, G_MAXINT64, 0, flags);
  properties[PROP_N_WAITING] = g_param_spec_uint ("n-waiting", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_REJECTED] = g_param_spec_uint ("n-rejected", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_N_CONFLICTS] = g_param_spec_uint ("n-conflicts", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* When (seconds since the epoch) the last sync completed; 0: never in this session. */
  properties[PROP_LAST_SYNC] = g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SYNCING] = g_param_spec_boolean ("syncing", NULL, NULL, FALSE, flags);
  /* Why the last sync failed, for people; NULL after a sync that completed. */
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ZhSync::progress: a page of the feed was applied; @rows changes so far in this sync, the
   * cursor now @cursor. */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                    G_TYPE_UINT64, G_TYPE_INT64);
}

static void
zh_sync_init (ZhSync *self)
{
  self->page_size = ZH_SYNC_PAGE_SIZE;
  self->batch_size = ZH_SYNC_BATCH_SIZE;
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  self->debounce_ms = DEFAULT_DEBOUNCE_MS;
  self->period_ms = DEFAULT_PERIOD_MS;
  self->backoff_min_ms = DEFAULT_BACKOFF_MIN_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
}

/* zh_sync_new: (transfer full): the sync of @offline with the service of @client (signed in). */
ZhSync *
zh_sync_new (ZhOffline *offline,
             ZhClient  *client)
{
  ZhSync *self;

  g_return_val_if_fail (ZH_IS_OFFLINE (offline), NULL);
  g_return_val_if_fail (ZH_IS_CLIENT (client), NULL);

  self = g_object_new (ZH_TYPE_SYNC, NULL);
  self->offline = g_object_ref (offline);
  self->client = g_object_ref (client);
  g_signal_connect (offline, "outbox-changed", G_CALLBACK (outbox_changed_cb), self);
  update_counts (self);
  return self;
}

/* zh_sync_get_offline: (transfer none): the offline copy. */
ZhOffline *
zh_sync_get_offline (ZhSync *self)
{
  g_return_val_if_fail (ZH_IS_SYNC (self), NULL);

  return self->offline;
}

/* zh_sync_get_client: (transfer none): the client. */
ZhClient *
zh_sync_get_client (ZhSync *self)
{
  g_return_val_if_fail (ZH_IS_SYNC (self), NULL);

  return self->client;
}

/* zh_sync_set_page_size: ask the feed for @page_size changes per page (1..5000). */
void
zh_sync_set_page_size (ZhSync *self,
                       guint   page_size)
{
  g_return_if_fail (ZH_IS_SYNC (self));
  g_return_if_fail (page_size >= 1 && page_size <= 5000);

  self->page_size = page_size;
}

/* zh_sync_set_batch_size: send at most @batch_size operations per batch (1..500). */
void
zh_sync_set_batch_size (ZhSync *self,
                        guint   batch_size)
{
  g_return_if_fail (ZH_IS_SYNC (self));
  g_return_if_fail (batch_size >= 1 && batch_size <= 500);

  self->batch_size = batch_size;
}

/* Getters of the properties. */
gboolean    zh_sync_get_online        (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), FALSE); return self->online; }
gint64      zh_sync_get_offline_since (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), 0); return self->offline_since; }
guint       zh_sync_get_n_waiting     (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), 0); return self->n_waiting; }
guint       zh_sync_get_n_rejected    (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), 0); return self->n_rejected; }
guint       zh_sync_get_n_conflicts   (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), 0); return self->n_conflicts; }
gint64      zh_sync_get_last_sync     (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), 0); return self->last_sync; }
gboolean    zh_sync_get_syncing       (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), FALSE); return self->run != NULL; }
const char *zh_sync_get_last_error    (ZhSync *self) { g_return_val_if_fail (ZH_IS_SYNC (self), NULL); return self->last_error; }

/* ---- state ---------------------------------------------------------------------------------- */

static void
set_uint (ZhSync *self,
          guint  *field,
          guint   value,
          guint   prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_counts (ZhSync *self)
{
  set_uint (self, &self->n_waiting, zh_offline_count (self->offline, ZH_OUTBOX_PENDING), PROP_N_WAITING);
  set_uint (self, &self->n_rejected, zh_offline_count (self->offline, ZH_OUTBOX_REJECTED), PROP_N_REJECTED);
  set_uint (self, &self->n_conflicts, zh_offline_count (self->offline, ZH_OUTBOX_CONFLICT), PROP_N_CONFLICTS);
}

static void
set_online (ZhSync   *self,
            gboolean  online)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->online != online)
    {
      self->online = online;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
    }
  if (online && self->offline_since != 0)
    {
      self->offline_since = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_SINCE]);
    }
  else if (!online && self->offline_since == 0)
    {
      self->offline_since = g_get_real_time () / G_USEC_PER_SEC;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE_SINCE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* Whether @error means the service cannot be used now (as opposed to answering "no"). */
static gboolean
is_offline_error (const GError *error)
{
  return g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK) ||
         g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER) ||
         g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_TLS);
}

/* Note what a request's outcome says about the service. */
static void
note_reply (ZhSync       *self,
            const GError *error)
{
  if (error == NULL)
    set_online (self, TRUE);
  else if (is_offline_error (error))
    set_online (self, FALSE);
  else if (error->domain == ZH_CLIENT_ERROR)
    set_online (self, TRUE);   /* it answered, if only to refuse */
}

/* ---- one sync ------------------------------------------------------------------------------- */

static void
run_free (Run *run)
{
  g_clear_pointer (&run->tasks, g_ptr_array_unref);
  if (run->fetch_cancel_id != 0)
    g_cancellable_disconnect (run->cancellable, run->fetch_cancel_id);
  g_clear_object (&run->fetch_cancellable);
  g_clear_object (&run->cancellable);
  g_clear_error (&run->error);
  g_clear_pointer (&run->batch, g_ptr_array_unref);
  g_clear_pointer (&run->writing, zh_changes_page_free);
  g_queue_clear_full (&run->fetches, fetch_free);
  g_clear_object (&run->self);
  g_free (run);
}

static void
run_fail (Run    *run,
          GError *error)
{
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
}

static void
run_finish (Run *run)
{
  ZhSync *self = run->self;
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&run->tasks);
  gboolean cancelled = run->error != NULL &&
                       (g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                        g_error_matches (run->error, ZH_STORE_ERROR, ZH_STORE_ERROR_CANCELLED));
  gboolean offline_error = run->error != NULL && is_offline_error (run->error);

  g_object_ref (self);
  g_object_freeze_notify (G_OBJECT (self));

  self->run = NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
  g_clear_pointer (&self->last_error, g_free);
  if (run->error == NULL)
    {
      self->last_sync = g_get_real_time () / G_USEC_PER_SEC;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
      self->failures = 0;
    }
  else if (!cancelled)
    self->last_error = g_strdup (run->error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
  update_counts (self);
  g_object_thaw_notify (G_OBJECT (self));

  if (run->dangling > 0)
    g_message ("the offline copy %s has %u rows that refer to rows it lacks",
               zh_offline_get_path (self->offline), run->dangling);

  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = tasks->pdata[i];
      gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "zh-sync-cancel-handler"));

      if (handler != 0)
        g_cancellable_disconnect (g_task_get_cancellable (task), handler);
      if (cancelled)
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                                 _("The sync was cancelled."));
      else if (run->error != NULL)
        g_task_return_error (task, g_error_copy (run->error));
      else
        g_task_return_boolean (task, TRUE);
    }

  run_free (run);

  /* A sync asked for while this one ran starts now, so it sees every edit made meanwhile. */
  if (self->waiting->len > 0)
    {
      Run *next = g_new0 (Run, 1);

      next->self = g_object_ref (self);
      next->tasks = g_steal_pointer (&self->waiting);
      self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
      run_start (next);
    }
  else if (self->started)
    {
      if (offline_error)
        {
          guint64 base;
          guint delay;

          self->failures++;
          base = (guint64) self->backoff_min_ms << MIN (self->failures - 1, 20u);
          base = MIN (base, self->backoff_max_ms);
          /* "Equal jitter": half the delay fixed, half random, so clients that lost the service at
           * the same moment do not all come back at the same moment. */
          delay = (guint) (base / 2 + (guint64) g_random_int_range (0, (gint32) MAX (base / 2, 1)));
          schedule (self, delay);
        }
      else
        schedule (self, self->period_ms);
    }
  g_object_unref (self);
}

static void maybe_finish_pull (Run *run);
static void maybe_fetch (Run *run);
static void maybe_write (Run *run);

/* ---- the WAL's checkpoints ------------------------------------------------------------------ */

/* SQLite's default: a checkpoint once the WAL holds 1,000 pages. */
#define CHECKPOINT_FRAMES 1000

static void
checkpoint_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ZhSync *self = source_object;
  GError *error = NULL;

  if (self->checkpointer == NULL)
    self->checkpointer = zh_store_open (zh_offline_get_path (self->offline),
                                        ZH_STORE_FLAGS_NO_CREATE, &error);
  if (self->checkpointer == NULL || !_zh_offline_checkpoint (self->checkpointer, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
checkpoint_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ZhSync *self = ZH_SYNC (source);
  g_autoptr(GError) error = NULL;

  self->checkpointing = FALSE;
  /* Nothing is lost: the frames stay in the WAL, and the next checkpoint copies them. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Cannot copy the journal of the offline copy “%s” into it: %s",
               zh_offline_get_path (self->offline), error->message);
}

/* The writer never copies its WAL back into the database itself (_zh_offline_open_writer): after
 * a page is written, a worker does, on its own connection, while the writer writes the next. */
static void
maybe_checkpoint (ZhSync *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->checkpointing || self->writer == NULL ||
      _zh_offline_writer_wal_frames (self->writer) < CHECKPOINT_FRAMES)
    return;
  self->checkpointing = TRUE;
  task = g_task_new (self, NULL, checkpoint_cb, NULL);
  g_task_set_source_tag (task, maybe_checkpoint);
  g_task_run_in_thread (task, checkpoint_thread);
}

/* ---- the pull: fetches ahead, one writer ---------------------------------------------------- *
 *
 * A page of the feed goes through three stages: the service makes it, the client reads and
 * decodes it (a worker), the writer applies it (another worker). They run at the same time on
 * successive pages: as soon as a page's `next` is known — from its first bytes, where the service
 * writes it (ZhChangesAheadFunc), or else once it is decoded — the following page is asked for,
 * up to FETCHES_AHEAD pages ahead of the writer. Pages are written strictly in the order asked. */

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ZhSync *self = source_object;
  Run *run = task_data;
  GError *error = NULL;

  /* The writer connection is used by one page at a time: the run starts the next write only
   * after this one has returned. */
  if (self->writer == NULL)
    self->writer = _zh_offline_open_writer (zh_offline_get_path (self->offline), &error);
  if (self->writer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  zh_store_set_cancellable (self->writer, cancellable);
  if (!_zh_offline_apply_page (self->writer, run->writing, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  zh_store_set_cancellable (self->writer, NULL);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      run_fail (run, error);
      /* Nothing more will be written: stop the fetches too. */
      g_cancellable_cancel (run->cancellable);
    }
  else
    {
      run->rows += run->writing->changes->len;
      g_signal_emit (run->self, signals[PROGRESS], 0, run->rows, run->writing->next);
    }
  g_clear_pointer (&run->writing, zh_changes_page_free);

  maybe_checkpoint (run->self);
  maybe_write (run);
  maybe_fetch (run);
  maybe_finish_pull (run);
}

/* Hand the oldest page asked for to the writer, when it is in and the writer is free. */
static void
maybe_write (Run *run)
{
  while (run->error == NULL && run->writing == NULL && !g_queue_is_empty (&run->fetches))
    {
      Fetch *head = g_queue_peek_head (&run->fetches);
      g_autoptr(GTask) task = NULL;

      if (!head->done)
        return;
      g_queue_pop_head (&run->fetches);
      run->writing = g_steal_pointer (&head->page);
      fetch_free (head);
      /* An empty page changes nothing, not even the cursor. */
      if (run->writing->changes->len == 0)
        {
          g_clear_pointer (&run->writing, zh_changes_page_free);
          continue;
        }
      task = g_task_new (run->self, run->cancellable, write_cb, run);
      g_task_set_source_tag (task, maybe_write);
      g_task_set_task_data (task, run, NULL);
      g_task_run_in_thread (task, write_thread);
    }
}

/* The page @fetch asked for told its `next` and `more` from its first bytes. */
static void
ahead_cb (gint64   next,
          gboolean more,
          gpointer user_data)
{
  Fetch *fetch = user_data;
  Run *run = fetch->run;

  fetch->ahead = TRUE;
  fetch->ahead_next = next;
  fetch->ahead_more = more;
  /* Only the latest page asked for tells where the next starts. */
  if (fetch == g_queue_peek_tail (&run->fetches) && !run->cursor_known)
    {
      run->cursor = next;
      run->more = more;
      run->cursor_known = TRUE;
      maybe_fetch (run);
    }
}

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fetch *fetch = user_data;
  Run *run = fetch->run;
  GError *error = NULL;
  ZhChangesPage *page;

  fetch->done = TRUE;
  page = zh_client_get_changes_finish (ZH_CLIENT (source), result, &error);
  note_reply (run->self, error);
  if (page != NULL && fetch->ahead && (page->next != fetch->ahead_next || page->more != fetch->ahead_more))
    {
      /* The decoder refuses a member given twice, so this is not expected of any service. */
      g_set_error (&error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_PROTOCOL,
                   _("The journal service sent a page of changes whose beginning and end disagree "
                     "on where the next page starts."));
      g_clear_pointer (&page, zh_changes_page_free);
    }
  if (page == NULL)
    {
      g_queue_remove (&run->fetches, fetch);
      fetch_free (fetch);
      run_fail (run, error);
      /* The pages asked for after it would not be written: stop them. The page being written
       * is written to its end, so the next sync resumes after it. */
      g_cancellable_cancel (run->fetch_cancellable);
      maybe_finish_pull (run);
      return;
    }

  fetch->page = page;
  if (!fetch->ahead && fetch == g_queue_peek_tail (&run->fetches))
    {
      run->cursor = page->next;
      run->more = page->more;
      run->cursor_known = TRUE;
    }
  maybe_write (run);
  maybe_fetch (run);
  maybe_finish_pull (run);
}

/* Ask for the next page when where it starts is known, more changes wait, and fewer than
 * FETCHES_AHEAD pages wait for the writer. */
static void
maybe_fetch (Run *run)
{
  Fetch *fetch;

  if (run->error != NULL || !run->cursor_known || !run->more ||
      g_queue_get_length (&run->fetches) >= FETCHES_AHEAD)
    return;
  fetch = g_new0 (Fetch, 1);
  fetch->run = run;
  fetch->since = run->cursor;
  g_queue_push_tail (&run->fetches, fetch);
  run->cursor_known = FALSE;
  zh_client_get_changes_ahead_async (run->self->client, fetch->since, run->self->page_size,
                                     ahead_cb, fetch, run->fetch_cancellable, fetch_cb, fetch);
}

/* ---- the end of the pull ---------------------------------------------------------------------
 *
 * After the last page (or when the pull stopped), two steps run side by side in workers: the
 * writer builds the indexes a first sync deferred (see _zh_offline_apply_page), and, when the
 * sync wrote rows, another connection counts the rows that refer to rows the copy lacks. */

static void
restore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ZhSync *self = source_object;
  g_autoptr(GError) error = NULL;

  if (self->writer == NULL)
    self->writer = _zh_offline_open_writer (zh_offline_get_path (self->offline), &error);
  if (self->writer == NULL || !_zh_offline_restore_indexes (self->writer, &error))
    g_warning ("Cannot build the indexes of the offline copy “%s”: %s",
               zh_offline_get_path (self->offline), error->message);
  g_task_return_boolean (task, TRUE);
}

static void
dangling_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ZhSync *self = source_object;
  Run *run = task_data;
  g_autoptr(GError) error = NULL;

  if (self->checker == NULL)
    self->checker = zh_store_open (zh_offline_get_path (self->offline),
                                   ZH_STORE_FLAGS_READ_ONLY, &error);
  if (self->checker == NULL || !_zh_offline_count_dangling (self->checker, &run->dangling, &error))
    g_warning ("Cannot check the references of the offline copy “%s”: %s",
               zh_offline_get_path (self->offline), error->message);
  g_task_return_boolean (task, TRUE);
}

static void
finish_step_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;

  if (--run->finishing > 0)
    return;
  maybe_checkpoint (run->self);
  run_finish (run);
}

static void
finish_step (Run         *run,
             GTaskThreadFunc func)
{
  /* Not cancellable: short next to the sync they end, and not to be left half. */
  g_autoptr(GTask) task = g_task_new (run->self, NULL, finish_step_cb, run);

  run->finishing++;
  g_task_set_source_tag (task, finish_step);
  g_task_set_task_data (task, run, NULL);
  g_task_run_in_thread (task, func);
}

static void
maybe_finish_pull (Run *run)
{
  ZhSync *self = run->self;
  gboolean restore;
  gboolean check;

  if (run->writing != NULL || run->finishing > 0)
    return;
  for (GList *l = run->fetches.head; l != NULL; l = l->next)
    if (!((Fetch *) l->data)->done)
      return;
  if (run->error == NULL && (run->more || !g_queue_is_empty (&run->fetches)))
    return;
  g_queue_clear_full (&run->fetches, fetch_free);

  restore = _zh_offline_has_deferred_indexes (self->offline);
  check = run->error == NULL && run->rows > 0;
  if (restore)
    finish_step (run, restore_thread);
  if (check)
    finish_step (run, dangling_thread);
  if (!restore && !check)
    run_finish (run);
}

static void
pull_start (Run *run)
{
  run->pushing = FALSE;
  run->cursor = zh_offline_get_cursor (run->self->offline);
  run->cursor_known = TRUE;
  run->more = TRUE;
  maybe_fetch (run);
}

static void push_next (Run *run);

static void
push_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) results = NULL;

  results = zh_client_post_batch_finish (ZH_CLIENT (source), result, &error);
  note_reply (run->self, error);
  if (results == NULL ||
      !_zh_offline_apply_results (run->self->offline, run->batch, results, &error))
    {
      g_clear_pointer (&run->batch, g_ptr_array_unref);
      run_fail (run, error);
      run_finish (run);
      return;
    }
  g_clear_pointer (&run->batch, g_ptr_array_unref);
  push_next (run);
}

static void
push_next (Run *run)
{
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (run->cancellable, &error))
    {
      run_fail (run, error);
      run_finish (run);
      return;
    }
  run->batch = _zh_offline_take_batch (run->self->offline, run->self->batch_size, &error);
  if (run->batch == NULL)
    {
      run_fail (run, error);
      run_finish (run);
      return;
    }
  if (run->batch->len == 0)
    {
      g_clear_pointer (&run->batch, g_ptr_array_unref);
      pull_start (run);
      return;
    }
  zh_client_post_batch_async (run->self->client, run->batch, run->cancellable, push_cb, run);
}

static void
cancel_fetches_cb (GCancellable *cancellable,
                   GCancellable *fetch_cancellable)
{
  g_cancellable_cancel (fetch_cancellable);
}

static void
run_start (Run *run)
{
  ZhSync *self = run->self;

  g_assert (self->run == NULL);
  self->run = run;
  run->cancellable = g_cancellable_new ();
  run->fetch_cancellable = g_cancellable_new ();
  run->fetch_cancel_id = g_cancellable_connect (run->cancellable, G_CALLBACK (cancel_fetches_cb),
                                                run->fetch_cancellable, NULL);
  run->pushing = TRUE;
  for (guint i = 0; i < run->tasks->len; i++)
    if (g_cancellable_is_cancelled (g_task_get_cancellable (run->tasks->pdata[i])))
      g_cancellable_cancel (run->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
  push_next (run);
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     ZhSync       *self)
{
  /* Cancel from the main context (as the app and the tests do): the run belongs to it. */
  zh_sync_cancel (self);
}

/* zh_sync_run_async: push the outbox, then pull the changes feed. While a sync runs, another is
 * run right after it for every caller who asks meanwhile. Cancelling @cancellable cancels the
 * sync (a page being written is rolled back; the cursor stays where the last page left it). */
void
zh_sync_run_async (ZhSync              *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ZH_IS_SYNC (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_sync_run_async);
  /* Disconnected when the task returns (run_finish): every task is returned by a run that holds
   * a reference to self. */
  if (cancellable != NULL)
    g_object_set_data (G_OBJECT (task), "zh-sync-cancel-handler",
                       GSIZE_TO_POINTER (g_cancellable_connect (cancellable,
                                                                G_CALLBACK (caller_cancelled_cb),
                                                                self, NULL)));

  if (self->run != NULL)
    {
      g_ptr_array_add (self->waiting, g_steal_pointer (&task));
      return;
    }

  {
    Run *run = g_new0 (Run, 1);

    run->self = g_object_ref (self);
    run->tasks = g_ptr_array_new_with_free_func (g_object_unref);
    g_ptr_array_add (run->tasks, g_steal_pointer (&task));
    run_start (run);
  }
}

/* zh_sync_run_finish: whether the sync completed. */
gboolean
zh_sync_run_finish (ZhSync        *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (ZH_IS_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* zh_sync_cancel: cancel the running sync, if any; call it on the main context. */
void
zh_sync_cancel (ZhSync *self)
{
  Run *run;

  g_return_if_fail (ZH_IS_SYNC (self));

  run = self->run;
  if (run != NULL && run->cancellable != NULL)
    g_cancellable_cancel (run->cancellable);
}

/* ---- the schedule --------------------------------------------------------------------------- */

static void
run_scheduled (ZhSync *self)
{
  zh_sync_run_async (self, NULL, NULL, NULL);
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ZhSync) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!zh_client_probe_finish (ZH_CLIENT (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->probe_cancellable);
  if (!self->started)
    return;
  note_reply (self, error);
  if (error == NULL || !is_offline_error (error))
    run_scheduled (self);
  else
    {
      guint64 base;

      self->failures++;
      base = MIN ((guint64) self->backoff_min_ms << MIN (self->failures - 1, 20u), self->backoff_max_ms);
      schedule (self, (guint) (base / 2 + (guint64) g_random_int_range (0, (gint32) MAX (base / 2, 1))));
    }
}

static gboolean
timer_cb (gpointer user_data)
{
  ZhSync *self = user_data;

  self->timer_id = 0;
  if (self->run != NULL || self->probe_cancellable != NULL)
    return G_SOURCE_REMOVE;
  if (self->failures > 0 && !self->online)
    {
      /* Away: ask cheaply whether the service is back before a whole sync. */
      self->probe_cancellable = g_cancellable_new ();
      zh_client_probe_async (self->client, self->probe_cancellable, probe_cb, g_object_ref (self));
    }
  else
    run_scheduled (self);
  return G_SOURCE_REMOVE;
}

/* Sync in @delay_ms unless a sync is due sooner. */
static void
schedule (ZhSync *self,
          guint   delay_ms)
{
  gint64 due = g_get_monotonic_time () + (gint64) delay_ms * 1000;

  if (self->timer_id != 0 && self->timer_due <= due)
    return;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_due = due;
  self->timer_id = g_timeout_add (delay_ms, timer_cb, self);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    ZhSync          *self)
{
  if (available && self->started)
    schedule (self, 0);
}

/* zh_sync_set_schedule: the debounce after an edit, the period between syncs, and the bounds of
 * the backoff while the service is away, in milliseconds. */
void
zh_sync_set_schedule (ZhSync *self,
                      guint   debounce_ms,
                      guint   period_ms,
                      guint   backoff_min_ms,
                      guint   backoff_max_ms)
{
  g_return_if_fail (ZH_IS_SYNC (self));
  g_return_if_fail (backoff_min_ms >= 1 && backoff_min_ms <= backoff_max_ms);

  self->debounce_ms = debounce_ms;
  self->period_ms = period_ms;
  self->backoff_min_ms = backoff_min_ms;
  self->backoff_max_ms = backoff_max_ms;
}

/* zh_sync_start: sync now, after edits, periodically, and when the network or the service comes
 * back, until zh_sync_stop. */
void
zh_sync_start (ZhSync *self)
{
  g_return_if_fail (ZH_IS_SYNC (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect_object (self->monitor, "network-changed", G_CALLBACK (network_changed_cb),
                           self, 0);
  schedule (self, 0);
}

/* zh_sync_stop: no more syncs by the schedule (a running sync goes on). */
void
zh_sync_stop (ZhSync *self)
{
  g_return_if_fail (ZH_IS_SYNC (self));

  self->started = FALSE;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->monitor, network_changed_cb, self);
  g_clear_object (&self->monitor);
  if (self->probe_cancellable != NULL)
    g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
}
