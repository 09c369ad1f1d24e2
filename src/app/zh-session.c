/* zh-session.c: ZhSession — the signed-in account: client, offline copy, background sync and the
 * local edits (zh-session.h).
 *
 * The idle lock checks the password again. Online that is a new sign-in; offline no password can
 * be checked against the service, and none is ever written to disk, so the session keeps a salted
 * SHA-256 of the password it was opened with — in memory only, for the life of the session — and
 * the lock compares against it. A session opened from a kept token (no password typed since the
 * app started) has no such hash; its lock asks the service, and offline it cannot be unlocked
 * except by signing out. */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "zh-session.h"

struct _ZhSession
{
  GObject    parent_instance;

  ZhAccount *account;
  ZhClient  *client;
  ZhOffline *offline;         /* the main thread's: the sync's counts */
  ZhSync    *sync;
  gboolean   signed_in_offline;
  char      *salt;
  char      *password_hash;   /* salted SHA-256 of the password, in memory only */

  GMutex     edit_lock;       /* one edit at a time, in workers, on edit_offline */
  ZhOffline *edit_offline;    /* a read-write connection of the edits' own */
};

G_DEFINE_FINAL_TYPE (ZhSession, zh_session, G_TYPE_OBJECT)

static void
zh_session_dispose (GObject *object)
{
  ZhSession *self = ZH_SESSION (object);

  if (self->sync != NULL)
    zh_sync_stop (self->sync);
  g_clear_object (&self->sync);

  G_OBJECT_CLASS (zh_session_parent_class)->dispose (object);
}

static void
zh_session_finalize (GObject *object)
{
  ZhSession *self = ZH_SESSION (object);

  g_clear_object (&self->edit_offline);
  g_clear_object (&self->offline);
  g_clear_object (&self->client);
  g_clear_object (&self->account);
  g_free (self->salt);
  g_free (self->password_hash);
  g_mutex_clear (&self->edit_lock);

  G_OBJECT_CLASS (zh_session_parent_class)->finalize (object);
}

static void
zh_session_class_init (ZhSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = zh_session_dispose;
  object_class->finalize = zh_session_finalize;
}

static void
zh_session_init (ZhSession *self)
{
  g_mutex_init (&self->edit_lock);
}

static char *
hash_password (const char *salt,
               const char *password)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, (const guchar *) salt, -1);
  g_checksum_update (checksum, (const guchar *) password, -1);
  return g_strdup (g_checksum_get_string (checksum));
}

static void
remember_password (ZhSession  *self,
                   const char *password)
{
  g_free (self->salt);
  self->salt = g_strdup_printf ("%08x%08x%08x%08x", g_random_int (), g_random_int (),
                                g_random_int (), g_random_int ());
  g_free (self->password_hash);
  self->password_hash = hash_password (self->salt, password);
}

/* ---- opening -------------------------------------------------------------------------------- */

typedef struct
{
  ZhSession *session;
  ZhStaff   *staff;      /* the service's answer to the sign-in; NULL offline */
  char      *token;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_object (&data->session);
  g_clear_pointer (&data->staff, zh_staff_free);
  if (data->token != NULL)
    memset (data->token, 0, strlen (data->token));
  g_free (data->token);
  g_free (data);
}

/* In a worker: opens the copy (twice: the sync's and the edits'), records the sign-in. */
static void
open_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  ZhSession *self = data->session;
  g_autoptr(GError) error = NULL;
  g_autofree char *notice = NULL;
  ZhTokenStore where = ZH_TOKEN_STORE_NONE;

  if (data->token == NULL)
    {
      data->token = zh_account_lookup_token (self->account, &where, &error);
      if (data->token == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  self->offline = zh_account_open_offline (self->account, &error);
  if (self->offline == NULL ||
      (data->staff != NULL &&
       (!zh_offline_set_account (self->offline, zh_account_get_server_url (self->account),
                                 data->staff, &error) ||
        !zh_account_store_token (self->account, data->token, &where, &notice, &error))) ||
      !zh_account_make_current (self->account, &error) ||
      (self->edit_offline = zh_offline_open_path (zh_offline_get_path (self->offline),
                                                  &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (notice != NULL)
    g_message ("%s", notice);
  g_task_return_boolean (task, TRUE);
}

static void
open_in_worker (GTask *task)
{
  g_task_run_in_thread (task, open_thread);
  g_object_unref (task);
}

static void
login_ready_cb (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpenData *data = g_task_get_task_data (task);
  ZhSession *self = data->session;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  data->staff = zh_client_login_finish (self->client, res, NULL, &error);
  if (data->staff != NULL)
    {
      data->token = g_strdup (zh_client_get_token (self->client));
      open_in_worker (g_steal_pointer (&task));
      return;
    }
  /* The service away: a kept session and copy of this account open offline (issue 6 §1). */
  if (g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK) ||
      g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_SERVER))
    {
      path = g_strdup (zh_account_get_offline_path (self->account));
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          self->signed_in_offline = TRUE;
          open_in_worker (g_steal_pointer (&task));
          return;
        }
    }
  if (g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED))
    {
      g_task_return_new_error (task, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_UNAUTHORIZED, "%s",
                               _("Wrong login or password."));
      return;
    }
  if (g_error_matches (error, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK))
    {
      g_task_return_new_error (task, ZH_CLIENT_ERROR, ZH_CLIENT_ERROR_NETWORK,
                               _("The service at %s cannot be reached, and this computer has no "
                                 "offline copy of %s’s journal: check the address and the "
                                 "network."),
                               zh_account_get_server_url (self->account),
                               zh_account_get_login (self->account));
      return;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

/* zh_session_sign_in_async: signs @login in at @server_url with @password (offline with the kept
 * session when the service cannot be reached), then opens the account's offline copy. */
void
zh_session_sign_in_async (const char          *server_url,
                          const char          *login,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  OpenData *data = g_new0 (OpenData, 1);
  ZhSession *self;

  g_return_if_fail (server_url != NULL && login != NULL && password != NULL);

  g_task_set_source_tag (task, zh_session_sign_in_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  data->session = self = g_object_new (ZH_TYPE_SESSION, NULL);
  self->account = zh_account_new (server_url, login, &error);
  if (self->account != NULL)
    self->client = zh_account_new_client (self->account, &error);
  if (self->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  remember_password (self, password);
  zh_client_login_async (self->client, login, password, cancellable, login_ready_cb,
                         g_steal_pointer (&task));
}

/* zh_session_open_current_async: opens the current account with its kept token, offline-first:
 * no request is made before the copy is shown. */
void
zh_session_open_current_async (GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  OpenData *data = g_new0 (OpenData, 1);
  ZhSession *self;

  g_task_set_source_tag (task, zh_session_open_current_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  data->session = self = g_object_new (ZH_TYPE_SESSION, NULL);
  self->account = zh_account_new_current (&error);
  if (self->account != NULL)
    self->client = zh_account_new_client (self->account, &error);
  if (self->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  open_in_worker (g_steal_pointer (&task));
}

/* zh_session_open_finish: (transfer full): the session, its sync made (not started). */
ZhSession *
zh_session_open_finish (GAsyncResult  *result,
                        GError       **error)
{
  OpenData *data;
  ZhSession *self;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  self = data->session;
  zh_client_set_token (self->client, data->token);
  self->sync = zh_sync_new (self->offline, self->client);
  return g_object_ref (self);
}

/* zh_session_get_account: (transfer none): the account. */
ZhAccount *
zh_session_get_account (ZhSession *self)
{
  g_return_val_if_fail (ZH_IS_SESSION (self), NULL);
  return self->account;
}

/* zh_session_get_sync: (transfer none): the background sync of the offline copy. */
ZhSync *
zh_session_get_sync (ZhSession *self)
{
  g_return_val_if_fail (ZH_IS_SESSION (self), NULL);
  return self->sync;
}

/* zh_session_get_login: the signed-in login. */
const char *
zh_session_get_login (ZhSession *self)
{
  g_return_val_if_fail (ZH_IS_SESSION (self), NULL);
  return zh_account_get_login (self->account);
}

/* zh_session_get_offline_path: the file of the offline copy. */
const char *
zh_session_get_offline_path (ZhSession *self)
{
  g_return_val_if_fail (ZH_IS_SESSION (self), NULL);
  return zh_offline_get_path (self->offline);
}

/* zh_session_get_signed_in_offline: whether the session opened with the kept token because the
 * service could not be reached. */
gboolean
zh_session_get_signed_in_offline (ZhSession *self)
{
  g_return_val_if_fail (ZH_IS_SESSION (self), FALSE);
  return self->signed_in_offline;
}

/* zh_session_check_password: whether @password is the one the session was opened with (the
 * in-memory hash); FALSE when the session was opened from a kept token. */
gboolean
zh_session_check_password (ZhSession  *self,
                           const char *password)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (ZH_IS_SESSION (self), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (self->password_hash == NULL)
    return FALSE;
  hash = hash_password (self->salt, password);
  return g_str_equal (hash, self->password_hash);
}

/* ---- edits ---------------------------------------------------------------------------------- */

typedef struct
{
  ZhSessionEdit edit;
  char         *lesson_id;
  char         *student_id;
  char         *value;
  char         *work_type;
  /* ZH_SESSION_EDIT_PERIOD_MARK: */
  char             *group_id;
  ZhPeriodMarkKind  kind;
  char             *period_id;
  char         *mark_id;     /* MARK: the new mark's, set by the worker */
  /* ZH_SESSION_EDIT_TAKE_BACK_REASON: the reason taken back, the code given back */
  ZhAttendanceCode  reason;
  ZhAttendanceCode  previous;
} EditData;

static void
edit_data_free (EditData *data)
{
  g_free (data->lesson_id);
  g_free (data->student_id);
  g_free (data->value);
  g_free (data->work_type);
  g_free (data->group_id);
  g_free (data->period_id);
  g_free (data->mark_id);
  g_free (data);
}

static gboolean
parse_reason (const char       *value,
              ZhAttendanceCode *code)
{
  if (g_strcmp0 (value, "ill") == 0)
    *code = ZH_ATTENDANCE_ILL;
  else if (g_strcmp0 (value, "valid") == 0)
    *code = ZH_ATTENDANCE_VALID;
  else if (g_strcmp0 (value, "invalid") == 0)
    *code = ZH_ATTENDANCE_INVALID;
  else
    return FALSE;
  return TRUE;
}

static void
edit_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ZhSession *self = source;
  EditData *data = task_data;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  ZhAttendanceCode reason = ZH_ATTENDANCE_ABSENT;
  gboolean ok = FALSE;

  g_mutex_lock (&self->edit_lock);
  switch (data->edit)
    {
    case ZH_SESSION_EDIT_MARK:
      ok = zh_offline_add_mark (self->edit_offline, data->lesson_id, data->student_id, data->value,
                                data->work_type, "", now, &data->mark_id, &error);
      break;
    case ZH_SESSION_EDIT_DELETE_MARK:
      ok = zh_offline_delete_mark (self->edit_offline, data->value, now, &error);
      break;
    case ZH_SESSION_EDIT_ABSENCE:
      ok = zh_offline_set_absence (self->edit_offline, data->lesson_id, data->student_id,
                                   ZH_ATTENDANCE_ABSENT, now, &error);
      break;
    case ZH_SESSION_EDIT_CLEAR_ABSENCE:
      ok = zh_offline_clear_absence (self->edit_offline, data->lesson_id, data->student_id, now,
                                     &error);
      break;
    case ZH_SESSION_EDIT_ABSENCE_REASON:
      if (!parse_reason (data->value, &reason))
        g_set_error (&error, ZH_OFFLINE_ERROR, ZH_OFFLINE_ERROR_INVALID,
                     _("“%s” is not a reason of absence: give ill, valid or invalid."),
                     data->value);
      else
        ok = zh_offline_set_absence_reason (self->edit_offline, data->lesson_id,
                                            data->student_id, reason, now, &error);
      break;
    case ZH_SESSION_EDIT_TAKE_BACK_REASON:
      ok = zh_offline_take_back_absence_reason (self->edit_offline, data->lesson_id,
                                                data->student_id, data->reason, data->previous,
                                                now, &error);
      break;
    case ZH_SESSION_EDIT_PERIOD_MARK:
      ok = zh_offline_set_period_mark (self->edit_offline, data->group_id, data->student_id,
                                       data->kind, data->period_id, data->value, now, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_mutex_unlock (&self->edit_lock);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Runs the edit @data describes in a worker (edit_thread); finished by zh_session_edit_finish. */
static void
start_edit (ZhSession           *self,
            EditData            *data,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, zh_session_edit_async);
  g_task_set_task_data (task, data, (GDestroyNotify) edit_data_free);
  g_task_run_in_thread (task, edit_thread);
}

/* zh_session_edit_async: makes @edit on the cell of @student_id in @lesson_id in a worker; the
 * school's policy refuses it at once with its reason. @value is the mark (a scale code) or the
 * reason of absence (ill, valid, invalid); @work_type a work type code for a mark. */
void
zh_session_edit_async (ZhSession           *self,
                       ZhSessionEdit        edit,
                       const char          *lesson_id,
                       const char          *student_id,
                       const char          *value,
                       const char          *work_type,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  EditData *data;

  g_return_if_fail (ZH_IS_SESSION (self));
  g_return_if_fail (lesson_id != NULL && student_id != NULL);

  data = g_new0 (EditData, 1);
  data->edit = edit;
  data->lesson_id = g_strdup (lesson_id);
  data->student_id = g_strdup (student_id);
  data->value = g_strdup (value);
  data->work_type = g_strdup (work_type != NULL ? work_type : "answer");
  start_edit (self, data, cancellable, callback, user_data);
}

/* zh_session_set_period_mark_async: gives @student_id the period mark @value (a scale code) of
 * @kind in @group_id — for @period_id when @kind is a period's mark, else NULL — in a worker, as
 * the edit ZH_SESSION_EDIT_PERIOD_MARK; the school's policy refuses it at once with its reason.
 * Finish with zh_session_edit_finish. */
void
zh_session_set_period_mark_async (ZhSession           *self,
                                  const char          *group_id,
                                  const char          *student_id,
                                  ZhPeriodMarkKind     kind,
                                  const char          *period_id,
                                  const char          *value,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  EditData *data;

  g_return_if_fail (ZH_IS_SESSION (self));
  g_return_if_fail (group_id != NULL && student_id != NULL && value != NULL);

  data = g_new0 (EditData, 1);
  data->edit = ZH_SESSION_EDIT_PERIOD_MARK;
  data->group_id = g_strdup (group_id);
  data->student_id = g_strdup (student_id);
  data->kind = kind;
  data->period_id = g_strdup (period_id);
  data->value = g_strdup (value);
  start_edit (self, data, cancellable, callback, user_data);
}

/* zh_session_take_back_reason_async: takes back the reason @reason given to the absence of
 * @student_id in @lesson_id — the absence gets @previous again — in a worker, as the edit
 * ZH_SESSION_EDIT_TAKE_BACK_REASON; the school's policy refuses it at once with its reason, as it
 * would setting the reason. Finish with zh_session_edit_finish. */
void
zh_session_take_back_reason_async (ZhSession           *self,
                                   const char          *lesson_id,
                                   const char          *student_id,
                                   ZhAttendanceCode     reason,
                                   ZhAttendanceCode     previous,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  EditData *data;

  g_return_if_fail (ZH_IS_SESSION (self));
  g_return_if_fail (lesson_id != NULL && student_id != NULL);

  data = g_new0 (EditData, 1);
  data->edit = ZH_SESSION_EDIT_TAKE_BACK_REASON;
  data->lesson_id = g_strdup (lesson_id);
  data->student_id = g_strdup (student_id);
  data->reason = reason;
  data->previous = previous;
  start_edit (self, data, cancellable, callback, user_data);
}

/* zh_session_edit_finish: whether the edit was made; the sync hears of it (debounced). */
gboolean
zh_session_edit_finish (ZhSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ok = g_task_propagate_boolean (G_TASK (result), error);
  /* The edit went through another connection: tell the sync's copy, which counts and schedules. */
  if (ok)
    g_signal_emit_by_name (self->offline, "outbox-changed");
  return ok;
}

/* zh_session_edit_dup_mark_id: (transfer full) (nullable): the id of the mark a finished
 * ZH_SESSION_EDIT_MARK made, for taking it back; NULL for other edits or a refused one. */
char *
zh_session_edit_dup_mark_id (GAsyncResult *result)
{
  EditData *data;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  data = g_task_get_task_data (G_TASK (result));
  return g_strdup (data->mark_id);
}

typedef struct
{
  ZhSessionWork  work;
  gpointer       data;
  GDestroyNotify destroy;
} RunData;

static void
run_data_free (RunData *run)
{
  if (run->destroy != NULL)
    run->destroy (run->data);
  g_free (run);
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  ZhSession *self = source;
  RunData *run = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_mutex_lock (&self->edit_lock);
  ok = run->work (self->edit_offline, run->data, &error);
  g_mutex_unlock (&self->edit_lock);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* zh_session_run_async: runs @work on the session's read-write copy in a worker, one at a time
 * with the edits (the cell dialogs' edits, corrections, the outbox's list and its settling).
 * @data is freed by @destroy after @callback has run, so the callback may be given @data too and
 * read what @work left in it. */
void
zh_session_run_async (ZhSession           *self,
                      ZhSessionWork        work,
                      gpointer             data,
                      GDestroyNotify       destroy,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *run;

  g_return_if_fail (ZH_IS_SESSION (self));
  g_return_if_fail (work != NULL);

  run = g_new0 (RunData, 1);
  run->work = work;
  run->data = data;
  run->destroy = destroy;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_session_run_async);
  g_task_set_task_data (task, run, (GDestroyNotify) run_data_free);
  g_task_run_in_thread (task, run_thread);
}

/* zh_session_run_finish: whether the work succeeded; the sync hears that the outbox may have
 * changed. */
gboolean
zh_session_run_finish (ZhSession     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  ok = g_task_propagate_boolean (G_TASK (result), error);
  g_signal_emit_by_name (self->offline, "outbox-changed");
  return ok;
}

/* Steps @stmt (key, outbox state) into key → ZhOutboxState + 1, the worst state of the key's
 * operations (rejected and conflict over pending). */
static GHashTable *
worst_states (ZhStore       *store,
              sqlite3_stmt  *stmt,
              GError       **error)
{
  g_autoptr(GHashTable) states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      const char *state = (const char *) sqlite3_column_text (stmt, 1);
      guint value = g_str_equal (state, "rejected") ? ZH_OUTBOX_REJECTED + 1
                    : g_str_equal (state, "conflict") ? ZH_OUTBOX_CONFLICT + 1
                    : ZH_OUTBOX_PENDING + 1;

      if (key != NULL && value > GPOINTER_TO_UINT (g_hash_table_lookup (states, key)))
        g_hash_table_insert (states, g_strdup (key), GUINT_TO_POINTER (value));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, ZH_STORE_ERROR, ZH_STORE_ERROR_FAILED, "%s",
                   sqlite3_errmsg (zh_store_get_db (store)));
      return NULL;
    }
  return g_steal_pointer (&states);
}

/* zh_session_list_waiting: (transfer full): the outbox's cells, "lesson_id/student_id" (for a
 * period mark "<zh_journal_period_mark_key>/student_id") → ZhOutboxState + 1 (the worst state of
 * the cell's operations). Small; a main-thread read of the outbox of this computer's own edits. */
GHashTable *
zh_session_list_waiting (ZhSession  *self,
                         GError    **error)
{
  ZhStore *store;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZH_IS_SESSION (self), NULL);

  store = zh_offline_get_store (self->offline);
  stmt = zh_store_prepare (store,
                           "SELECT json_extract (value, '$.lesson_id') || '/' || "
                           "json_extract (value, '$.student_id'), state FROM outbox "
                           "WHERE entity IN ('mark', 'attendance') "
                           "AND json_valid (value) AND json_extract (value, '$.lesson_id') "
                           "IS NOT NULL "
                           "UNION ALL "
                           /* zh_journal_period_mark_key's form */
                           "SELECT 'period_mark:' || json_extract (value, '$.group_id') || ':' || "
                           "json_extract (value, '$.kind') || ':' || "
                           "ifnull (json_extract (value, '$.period_id'), '') || '/' || "
                           "json_extract (value, '$.student_id'), state FROM outbox "
                           "WHERE entity = 'period_mark' AND json_valid (value) "
                           "AND json_extract (value, '$.student_id') IS NOT NULL", error);
  if (stmt == NULL)
    return NULL;
  return worst_states (store, stmt, error);
}

static void
logout_ready_cb (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!zh_client_logout_finish (ZH_CLIENT (source), res, &error))
    g_debug ("signing out at the service: %s", error->message);
}

/* zh_session_sign_out: ends the session at the service (in the background), forgets the token
 * and stops the sync; the offline copy and its waiting edits stay for the next sign-in. */
void
zh_session_sign_out (ZhSession *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ZH_IS_SESSION (self));

  zh_sync_stop (self->sync);
  zh_client_logout_async (self->client, NULL, logout_ready_cb, NULL);
  if (!zh_account_forget_token (self->account, &error))
    g_warning ("%s", error->message);
  g_clear_pointer (&self->password_hash, g_free);
}

/* ---- lessons -------------------------------------------------------------------------------- */

typedef struct
{
  char         *lesson_id;
  char         *topic;
  char         *homework;
  char         *group_id;
  char         *date;
  int           number;
  ZhLessonKind  kind;
} LessonData;

static void
lesson_data_free (LessonData *data)
{
  g_free (data->lesson_id);
  g_free (data->topic);
  g_free (data->homework);
  g_free (data->group_id);
  g_free (data->date);
  g_free (data);
}

/* In a worker: the topic and the homework in one transaction, so that a refusal of either leaves
 * the lesson as it was. */
static void
edit_lesson_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  ZhSession *self = source;
  LessonData *data = task_data;
  ZhStore *store = zh_offline_get_store (self->edit_offline);
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean locked, ok;

  g_mutex_lock (&self->edit_lock);
  ok = locked = zh_store_lock (store, &error);
  if (ok && data->topic != NULL)
    ok = zh_offline_set_topic (self->edit_offline, data->lesson_id, data->topic, now, &error);
  if (ok && data->homework != NULL)
    ok = zh_offline_set_homework (self->edit_offline, data->lesson_id, data->homework, now,
                                  &error);
  if (locked && !zh_store_unlock (store, ok ? ZH_STORE_UNLOCK_COMMIT : ZH_STORE_UNLOCK_ROLLBACK,
                                   ok ? &error : NULL))
    ok = FALSE;
  g_mutex_unlock (&self->edit_lock);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* zh_session_edit_lesson_async: writes the topic and the homework of @lesson_id given in @text in
 * one transaction in a worker, the policy checking each (001 §5.4–5.5, 002 §5.2); finish with
 * zh_session_edit_finish. */
void
zh_session_edit_lesson_async (ZhSession                 *self,
                              const char                *lesson_id,
                              const ZhSessionLessonText *text,
                              GCancellable              *cancellable,
                              GAsyncReadyCallback        callback,
                              gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  LessonData *data;

  g_return_if_fail (ZH_IS_SESSION (self));
  g_return_if_fail (lesson_id != NULL && text != NULL);

  data = g_new0 (LessonData, 1);
  data->lesson_id = g_strdup (lesson_id);
  data->topic = g_strdup (text->topic);
  data->homework = g_strdup (text->homework);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_session_edit_lesson_async);
  g_task_set_task_data (task, data, (GDestroyNotify) lesson_data_free);
  g_task_run_in_thread (task, edit_lesson_thread);
}

static void
add_lesson_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ZhSession *self = source;
  LessonData *data = task_data;
  g_autoptr(GError) error = NULL;
  char *lesson_id = NULL;
  gboolean ok;

  g_mutex_lock (&self->edit_lock);
  ok = zh_offline_add_lesson (self->edit_offline, data->group_id, data->date, data->number,
                              data->kind, g_get_real_time () / G_USEC_PER_SEC, &lesson_id,
                              &error);
  g_mutex_unlock (&self->edit_lock);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, lesson_id, g_free);
}

/* zh_session_add_lesson_async: adds a lesson of @group_id on @date as lesson @number of the day
 * (001 §5.3) in a worker, the policy checking it. */
void
zh_session_add_lesson_async (ZhSession           *self,
                             const char          *group_id,
                             const char          *date,
                             int                  number,
                             ZhLessonKind         kind,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LessonData *data;

  g_return_if_fail (ZH_IS_SESSION (self));
  g_return_if_fail (group_id != NULL && date != NULL);

  data = g_new0 (LessonData, 1);
  data->group_id = g_strdup (group_id);
  data->date = g_strdup (date);
  data->number = number;
  data->kind = kind;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, zh_session_add_lesson_async);
  g_task_set_task_data (task, data, (GDestroyNotify) lesson_data_free);
  g_task_run_in_thread (task, add_lesson_thread);
}

/* zh_session_add_lesson_finish: (transfer full): the new lesson's id, or NULL with @error. */
char *
zh_session_add_lesson_finish (ZhSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  char *lesson_id;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  lesson_id = g_task_propagate_pointer (G_TASK (result), error);
  if (lesson_id != NULL)
    g_signal_emit_by_name (self->offline, "outbox-changed");
  return lesson_id;
}

/* zh_session_list_lesson_states: (transfer full): the lessons with operations in the outbox,
 * lesson id → ZhOutboxState + 1 (the worst state of the lesson's operations). */
GHashTable *
zh_session_list_lesson_states (ZhSession  *self,
                               GError    **error)
{
  ZhStore *store;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (ZH_IS_SESSION (self), NULL);

  store = zh_offline_get_store (self->offline);
  stmt = zh_store_prepare (store, "SELECT entity_id, state FROM outbox WHERE entity = 'lesson'",
                           error);
  if (stmt == NULL)
    return NULL;
  return worst_states (store, stmt, error);
}

/* zh_session_list_lesson_reasons: (transfer full): the lessons whose changes the service refused,
 * lesson id → the service's reason for the newest refusal, in its own words (the outbox's
 * reason_message). */
GHashTable *
zh_session_list_lesson_reasons (ZhSession  *self,
                                GError    **error)
{
  g_autoptr(GHashTable) reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ZhStore *store;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (ZH_IS_SESSION (self), NULL);

  store = zh_offline_get_store (self->offline);
  stmt = zh_store_prepare (store, "SELECT entity_id, reason_message FROM outbox "
                                  "WHERE entity = 'lesson' AND state = 'rejected' "
                                  "AND reason_message IS NOT NULL ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  /* In order of the outbox: the newest refusal of a lesson is the last one put. */
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (reasons, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, "outbox", error);
      return NULL;
    }
  return g_steal_pointer (&reasons);
}
