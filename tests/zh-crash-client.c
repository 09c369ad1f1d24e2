/* zh-crash-client: the client that test-crash kills. `zh-crash-client URL DIR UPTO` signs in as the
 * teacher (once: the token is kept in DIR/token), makes the edits 0..UPTO-1 of the crash plan that
 * its copy DIR/offline.sqlite does not hold yet, syncing after every ten, then syncs until nothing
 * waits. It prints "edit" and "sync" as it enters each phase, so the driver knows where a kill
 * struck. Exit 0: done and nothing waits; 3: the service refused or conflicted an edit. */
#define G_LOG_DOMAIN "zh-crash-client"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zh-crash-plan.h"
#include "zh-entity-sql.h"
#include "zh-offline.h"
#include "zh-sync.h"

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
phase (const char *name)
{
  printf ("%s\n", name);
  fflush (stdout);
}

static void
die (const char   *what,
     const GError *error)
{
  fprintf (stderr, "zh-crash-client: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

static void
sync_once (ZhSync *sync)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  phase ("sync");
  zh_sync_run_async (sync, NULL, got_result_cb, &result);
  if (!zh_sync_run_finish (sync, wait_result (&result), &error))
    die ("sync", error);
}

static gboolean
exists (ZhStore    *store,
        const char *sql,
        const char *a,
        const char *b)
{
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, NULL);
  gboolean found;

  g_assert (stmt != NULL);
  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_TRANSIENT);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  return found;
}

/* Whether edit @e (number @k) is in the copy already: each edit was one transaction. */
static gboolean
done (ZhOffline         *offline,
      ZhCrashSchool     *school,
      const ZhCrashEdit *e,
      guint              k)
{
  ZhStore *store = zh_offline_get_store (offline);
  const char *lesson = school->lessons[e->klass][e->day];
  g_autoptr(ZhLesson) row = NULL;

  switch (e->kind)
    {
    case ZH_CRASH_MARK:
      return exists (store, "SELECT 1 FROM mark WHERE comment = ?1", e->tag, NULL);
    case ZH_CRASH_ABSENCE:
      return exists (store, "SELECT 1 FROM attendance WHERE lesson_id = ?1 AND student_id = ?2",
                     lesson, school->students[e->klass][e->student]);
    case ZH_CRASH_TOPIC:
    default:
      row = zh_store_get_entity (store, &zh_lesson_info, lesson, NULL);
      return row != NULL && g_str_has_prefix (row->topic, "crash-topic-") &&
             (guint) atoi (row->topic + strlen ("crash-topic-")) >= k;
    }
}

static void
make (ZhOffline         *offline,
      ZhCrashSchool     *school,
      const ZhCrashEdit *e,
      gint64             at)
{
  g_autoptr(GError) error = NULL;
  const char *lesson = school->lessons[e->klass][e->day];
  gboolean ok;

  switch (e->kind)
    {
    case ZH_CRASH_MARK:
      ok = zh_offline_add_mark (offline, lesson, school->students[e->klass][e->student], e->text,
                                "answer", e->tag, at, NULL, &error);
      break;
    case ZH_CRASH_ABSENCE:
      ok = zh_offline_set_absence (offline, lesson, school->students[e->klass][e->student], e->code,
                                   at, &error);
      break;
    case ZH_CRASH_TOPIC:
    default:
      ok = zh_offline_set_topic (offline, lesson, e->text, at, &error);
      break;
    }
  if (!ok)
    die ("edit", error);
}

static void
sign_in (ZhClient   *client,
         ZhOffline  *offline,
         const char *url,
         const char *token_path)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStaff) staff = NULL;
  g_autofree char *token = NULL;

  if (g_file_get_contents (token_path, &token, NULL, NULL))
    {
      zh_client_set_token (client, token);
      return;
    }
  phase ("login");
  zh_client_login_async (client, "teacher", "demo", NULL, got_result_cb, &result);
  staff = zh_client_login_finish (client, wait_result (&result), NULL, &error);
  if (staff == NULL ||
      !zh_offline_set_account (offline, url, staff, &error) ||
      !g_file_set_contents_full (token_path, zh_client_get_token (client), -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    die ("sign-in", error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhClient) client = NULL;
  g_autoptr(ZhSync) sync = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token_path = NULL;
  ZhCrashSchool school;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint upto, made = 0;

  if (argc != 4)
    {
      fprintf (stderr, "usage: zh-crash-client URL DIR UPTO\n");
      return 2;
    }
  upto = (guint) g_ascii_strtoull (argv[3], NULL, 10);
  path = g_build_filename (argv[2], "offline.sqlite", NULL);
  token_path = g_build_filename (argv[2], "token", NULL);

  phase ("start");
  offline = zh_offline_open_path (path, &error);
  if (offline == NULL)
    die ("open", error);
  client = zh_client_new (argv[1], &error);
  sign_in (client, offline, argv[1], token_path);
  sync = zh_sync_new (offline, client);
  /* Small batches and pages: more round trips, more instants for a kill to strike in. */
  zh_sync_set_batch_size (sync, 7);
  zh_sync_set_page_size (sync, 100);

  if (!zh_crash_school_load (zh_offline_get_store (offline), &school))
    {
      zh_crash_school_clear (&school);
      sync_once (sync);
      if (!zh_crash_school_load (zh_offline_get_store (offline), &school))
        die ("the copy lacks the teacher's lessons", NULL);
    }

  phase ("edit");
  for (guint k = 0; k < upto; k++)
    {
      ZhCrashEdit e;

      zh_crash_plan_edit (k, &e);
      if (done (offline, &school, &e, k))
        continue;
      make (offline, &school, &e, zh_crash_plan_time (e.day, now) + k % 60);
      if (++made % 10 == 0)
        {
          sync_once (sync);
          phase ("edit");
        }
    }
  for (guint i = 0; i < 3 && (i == 0 || zh_offline_count (offline, ZH_OUTBOX_PENDING) > 0); i++)
    sync_once (sync);
  zh_crash_school_clear (&school);

  if (zh_offline_count (offline, ZH_OUTBOX_PENDING) > 0)
    die ("changes still wait after three syncs", NULL);
  if (zh_offline_count (offline, ZH_OUTBOX_REJECTED) > 0 ||
      zh_offline_count (offline, ZH_OUTBOX_CONFLICT) > 0)
    {
      g_autoptr(GPtrArray) refused = zh_offline_list_outbox (offline, ZH_OUTBOX_REJECTED, NULL);

      for (guint i = 0; refused != NULL && i < refused->len; i++)
        fprintf (stderr, "refused: %s\n", ((ZhOutboxEntry *) refused->pdata[i])->reason_message);
      return 3;
    }
  phase ("done");
  return 0;
}
