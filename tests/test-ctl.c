/* test-ctl: the real zhurnalctl against the real zhurnal-server (--demo, scale 0.25) on 127.0.0.1,
 * each test with its own XDG_DATA_HOME: sign-in with the password on standard input, the token
 * kept in the keyring or — with no Secret Service — in a 0600 file, status, sync, edits, backup,
 * sign-out (issue 5; REQUIREMENTS.md §9 for the backup; 002 §4.5 for signing out). */
#define G_LOG_DOMAIN "zh-test"

#include "config.h"

#include <string.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "zh-entity-sql.h"
#include "zh-store.h"
#include "zh-test-utils.h"

/* One service for the whole run: generating the demo school takes a while. */
static GSubprocess *server;
static char        *server_dir;
static char        *server_url;

typedef struct
{
  char *dir;         /* XDG_DATA_HOME of the test */
  char *runtime;     /* XDG_RUNTIME_DIR of the test */
} CtlFixture;

static void
ctl_setup (CtlFixture    *fixture,
           gconstpointer  data)
{
  fixture->dir = zh_test_tmpdir_new ();
  fixture->runtime = zh_test_tmpdir_new ();
  g_chmod (fixture->runtime, 0700);
}

static void
ctl_teardown (CtlFixture    *fixture,
              gconstpointer  data)
{
  zh_test_tmpdir_free (fixture->dir);
  zh_test_tmpdir_free (fixture->runtime);
}

/* The environment of a zhurnalctl run: the test's data folder, English messages, and a session
 * bus address that leads nowhere, so no keyring answers (and a developer's real keyring is never
 * touched). */
static GSubprocessLauncher *
new_launcher (CtlFixture *fixture)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", fixture->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", fixture->runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  return launcher;
}

/* Run `zhurnalctl ARGS…` with @input on standard input; its exit status, output and errors. */
static int
ctl_run (CtlFixture  *fixture,
         const char  *input,
         char       **out,
         char       **err,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fixture);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, zh_test_build_path ("src", "cli", "zhurnalctl", NULL));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL, &stdout_text,
                                 &stderr_text, &error);
  g_assert_no_error (error);
  g_test_message ("zhurnalctl %s → %d\n%s%s", (char *) argv->pdata[1],
                  g_subprocess_get_exit_status (process), stdout_text, stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static char *
account_dir (CtlFixture *fixture,
             const char *login)
{
  g_autoptr(GUri) uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *host_port = g_strdup_printf ("%s_%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_build_filename (fixture->dir, "zhurnal", host_port, login, NULL);
}

static void
login_ok (CtlFixture *fixture,
          const char *login)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (ctl_run (fixture, "demo\n", &out, &err, "login", "--server", server_url,
                            "--user", login, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Signed in to"));
}

/* Whether any file under @dir holds @needle. */
static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (tree_contains (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &contents, &length, NULL) &&
               memmem (contents, length, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* ---- signing in ----------------------------------------------------------------------------- */

/* A script gives the password on standard input; with no Secret Service the token goes to a
 * 0600 file of the account's folder and the user is told so; the password is kept nowhere. */
static void
test_login_token_in_file_without_keyring (CtlFixture    *fixture,
                                          gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = account_dir (fixture, "teacher");
  g_autofree char *token_path = g_build_filename (dir, "token", NULL);
  g_autofree char *current = g_build_filename (fixture->dir, "zhurnal", "current", NULL);
  g_autofree char *token = NULL;
  GStatBuf st;

  g_assert_cmpint (ctl_run (fixture, "demo\n", &out, &err, "login", "--server", server_url,
                            "--user", "teacher", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Signed in to"));
  g_assert_nonnull (strstr (out, "(teacher)"));
  g_assert_nonnull (strstr (err, "The session token was not put in the keyring"));
  g_assert_nonnull (strstr (err, token_path));

  g_assert_cmpint (g_stat (token_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_true (g_file_get_contents (token_path, &token, NULL, NULL));
  g_assert_cmpuint (strlen (g_strstrip (token)), >=, 32);
  g_assert_true (g_file_test (current, G_FILE_TEST_IS_REGULAR));
  /* The password is written nowhere: not in the token file, the copy or the current account. */
  g_assert_false (tree_contains (fixture->dir, "demo"));

  /* Status reads the account as the current one: no --server or --user needed. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Account: teacher at"));
  g_assert_nonnull (strstr (out, "session token is in a file"));
  g_assert_nonnull (strstr (out, "never synced"));
}

/* A wrong password is refused and keeps nothing; no password at all is a clear failure; a
 * missing --server is a usage error. */
static void
test_login_refusals (CtlFixture    *fixture,
                     gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *err3 = NULL;
  g_autofree char *dir = account_dir (fixture, "teacher");
  g_autofree char *token_path = g_build_filename (dir, "token", NULL);

  g_assert_cmpint (ctl_run (fixture, "not-the-password\n", NULL, &err, "login", "--server",
                            server_url, "--user", "teacher", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "did not accept the sign-in"));
  g_assert_false (g_file_test (token_path, G_FILE_TEST_EXISTS));

  g_assert_cmpint (ctl_run (fixture, "", NULL, &err2, "login", "--server", server_url,
                            "--user", "teacher", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "No password on standard input"));

  /* Refused before the password is read: no input, or the write could meet a closed pipe. */
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, &err3, "login", "--user", "teacher", NULL), ==, 2);
  g_assert_nonnull (strstr (err3, "--server"));
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, NULL, "login", "--server", "ftp://x",
                            "--user", "teacher", NULL), ==, 1);
}

/* Commands that need an account say how to get one. */
static void
test_no_account (CtlFixture    *fixture,
                 gconstpointer  data)
{
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;

  g_assert_cmpint (ctl_run (fixture, NULL, NULL, &err, "sync", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "zhurnalctl login --server URL --user LOGIN"));
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, &err2, "edit", "nonsense", NULL), ==, 2);
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, NULL, "backup", NULL), ==, 2);
}

/* ---- the copy ------------------------------------------------------------------------------- */

static char *
query_one (ZhStore    *store,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = zh_store_prepare (store, sql, &error);
  char *text = NULL;

  g_assert_no_error (error);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return text;
}

static gint64
count_rows (ZhStore    *store,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM %s", table);
  g_autofree char *text = query_one (store, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

/* Sync copies the school; an edit waits in the outbox and status lists it; an edit the school's
 * policy forbids is refused at once and changes nothing (002 §5.2); the backup is a Zhurnal
 * database with the same rows, 0600, and never overwrites a file (REQUIREMENTS.md §9). */
static void
test_sync_edit_status_backup (CtlFixture    *fixture,
                              gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dir = account_dir (fixture, "teacher");
  g_autofree char *path = g_build_filename (dir, "offline.sqlite", NULL);
  g_autofree char *backup = g_build_filename (fixture->dir, "backup.sqlite", NULL);
  g_autofree char *lesson = NULL;
  g_autofree char *student = NULL;
  g_autofree char *foreign_lesson = NULL;
  g_autofree char *foreign_student = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  gint64 marks;

  login_ok (fixture, "teacher");
  g_assert_cmpint (ctl_run (fixture, NULL, &out, &err, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Synced with"));
  /* Not a terminal: progress comes as plain lines, no carriage returns. */
  g_assert_null (strchr (err, '\r'));

  {
    g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_READ_ONLY, &error);
    g_autofree char *staff = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (count_rows (store, "lesson"), >, 1000);
    staff = query_one (store, "SELECT value FROM meta WHERE key = 'staff_id'");
    /* Today's last lesson of the teacher's own group, and one of its students. */
    sql = g_strdup_printf ("SELECT l.id FROM lesson l JOIN study_group g ON g.id = l.group_id "
                           "WHERE g.teacher_id = '%s' AND g.subgroup = 0 "
                           "ORDER BY l.date DESC, l.number DESC LIMIT 1", staff);
    lesson = query_one (store, sql);
    g_free (sql);
    sql = g_strdup_printf ("SELECT s.last_name || ' ' || s.first_name FROM lesson l "
                           "JOIN group_member m ON m.group_id = l.group_id AND m.date_to IS NULL "
                           "JOIN student s ON s.id = m.student_id WHERE l.id = '%s' "
                           "ORDER BY s.id LIMIT 1", lesson);
    student = query_one (store, sql);
    g_free (sql);
    /* A lesson of a group the teacher neither teaches nor is the class teacher of. */
    sql = g_strdup_printf ("SELECT l.id FROM lesson l JOIN study_group g ON g.id = l.group_id "
                           "JOIN class c ON c.id = g.class_id WHERE g.teacher_id <> '%s' AND "
                           "c.class_teacher_id <> '%s' AND c.grade > 1 ORDER BY l.date DESC LIMIT 1",
                           staff, staff);
    foreign_lesson = query_one (store, sql);
    g_free (sql);
    sql = g_strdup_printf ("SELECT m.student_id FROM lesson l JOIN group_member m ON "
                           "m.group_id = l.group_id WHERE l.id = '%s' LIMIT 1", foreign_lesson);
    foreign_student = query_one (store, sql);
    marks = count_rows (store, "mark");
  }
  g_assert_nonnull (lesson);
  g_assert_nonnull (student);
  g_assert_nonnull (foreign_student);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "edit", "mark", "--lesson", lesson,
                            "--student", student, "--value", "5", "--work-type", "answer", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Saved mark"));
  g_assert_nonnull (strstr (out, "1 change is waiting"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "edit", "topic", "--lesson", lesson,
                            "--text", "Дроби и проценты", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "2 changes are waiting"));

  /* Not the teacher's group: refused by the policy before anything is written (002 §5.2). */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, &err, "edit", "mark", "--lesson", foreign_lesson,
                            "--student", foreign_student, "--value", "4", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "zhurnalctl edit: "));
  /* A mark needs its value: a usage error. */
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, NULL, "edit", "mark", "--lesson", lesson,
                            "--student", student, NULL), ==, 2);

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "status", "--waiting", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Waiting to be sent: 2"));
  g_assert_nonnull (strstr (out, "mark “5” (answer) of "));
  g_assert_nonnull (strstr (out, "topic “Дроби и проценты”"));
  g_assert_nonnull (strstr (out, "Refused by the service: 0"));

  /* The backup: a new 0600 file holding a Zhurnal database with the copy's rows and outbox. */
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, NULL, "backup", backup, NULL), ==, 0);
  g_assert_cmpint (g_stat (backup, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  {
    g_autoptr(ZhStore) copy = zh_store_open (backup, ZH_STORE_FLAGS_READ_ONLY, &error);
    g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_READ_ONLY, &error);

    g_assert_no_error (error);
    g_assert_cmpint (zh_store_get_version (copy), ==, ZH_STORE_VERSION);
    g_assert_cmpint (count_rows (copy, "mark"), ==, marks + 1);
    g_assert_cmpint (count_rows (copy, "outbox"), ==, 2);
    for (guint i = 0; zh_entities[i] != NULL; i++)
      g_assert_cmpint (count_rows (copy, zh_entities[i]->table), ==,
                       count_rows (store, zh_entities[i]->table));
  }
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, NULL, &err, "backup", backup, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "exists already"));

  /* The next sync sends both edits; the service applies them and nothing waits any more. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "sync", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "changes sent: 2,"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "status", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Waiting to be sent: 0"));
  g_assert_nonnull (strstr (out, "Refused by the service: 0"));
  g_assert_nonnull (strstr (out, "In conflict with the service: 0"));
}

/* Signing out ends the session on the service (the old token is refused: 002 §4.5) and removes
 * the token; the copy stays, and commands that need the service say to sign in. */
static void
test_logout (CtlFixture    *fixture,
             gconstpointer  data)
{
  g_autofree char *dir = account_dir (fixture, "deputy");
  g_autofree char *token_path = g_build_filename (dir, "token", NULL);
  g_autofree char *token = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *url = g_strdup_printf ("%s/api/v1/changes?since=0&limit=1", server_url);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) before = soup_message_new ("GET", url);
  g_autoptr(SoupMessage) after = soup_message_new ("GET", url);
  g_autofree char *bearer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) body2 = NULL;
  g_autoptr(GError) error = NULL;

  login_ok (fixture, "deputy");
  g_assert_true (g_file_get_contents (token_path, &token, NULL, NULL));
  bearer = g_strdup_printf ("Bearer %s", g_strstrip (token));
  soup_message_headers_replace (soup_message_get_request_headers (before), "Authorization", bearer);
  body = soup_session_send_and_read (session, before, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (before), ==, SOUP_STATUS_OK);

  g_assert_cmpint (ctl_run (fixture, NULL, &out, NULL, "logout", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Signed out of"));
  g_assert_false (g_file_test (token_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  soup_message_headers_replace (soup_message_get_request_headers (after), "Authorization", bearer);
  body2 = soup_session_send_and_read (session, after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (after), ==, SOUP_STATUS_UNAUTHORIZED);

  g_assert_cmpint (ctl_run (fixture, NULL, NULL, &err, "sync", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "is not signed in"));
}

/* With a Secret Service on the session bus (gnome-keyring in a private dbus session), the token
 * goes to the keyring, no token file is written, and status finds it there. */
static void
test_login_token_in_keyring (CtlFixture    *fixture,
                             gconstpointer  data)
{
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *session = g_find_program_in_path ("dbus-run-session");
  g_autofree char *ctl = zh_test_build_path ("src", "cli", "zhurnalctl", NULL);
  g_autofree char *dir = account_dir (fixture, "classteacher");
  g_autofree char *token_path = g_build_filename (dir, "token", NULL);
  g_autofree char *script = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (daemon == NULL || session == NULL)
    {
      g_test_skip ("gnome-keyring-daemon or dbus-run-session is not installed");
      return;
    }
  /* Inside the private session: unlock a new login keyring, sign in, check, sign out. */
  script = g_strdup_printf ("echo -n keyring-password | gnome-keyring-daemon --unlock "
                            "--components=secrets >/dev/null || exit 90\n"
                            "echo demo | '%s' login --server '%s' --user classteacher || exit 91\n"
                            "test -e '%s' && exit 92\n"
                            "'%s' status || exit 93\n"
                            "'%s' logout || exit 94\n"
                            "'%s' status || exit 95\n",
                            ctl, server_url, token_path, ctl, ctl, ctl);
  launcher = new_launcher (fixture);
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  process = g_subprocess_launcher_spawn (launcher, &error, session, "--", "sh", "-c", script, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s\n%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_nonnull (strstr (out, "The session token is kept in the keyring."));
  g_assert_null (strstr (err, "not put in the keyring"));
  g_assert_nonnull (strstr (out, "Signed in; the session token is in the keyring."));
  g_assert_nonnull (strstr (out, "Not signed in."));
}

/* The keyring never holds up a sign-in (issue 5 §7): with gnome-keyring on the session bus but
 * no default keyring (it would prompt to make one), or with the default keyring locked (it would
 * prompt to unlock it), nobody answers a prompt on a bare X session; the token goes to the 0600
 * file with the notice at once, and status finds it there. */
static void
test_login_keyring_locked_or_missing (CtlFixture    *fixture,
                                      gconstpointer  data)
{
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *session = g_find_program_in_path ("dbus-run-session");
  g_autofree char *gdbus = g_find_program_in_path ("gdbus");
  g_autofree char *ctl = zh_test_build_path ("src", "cli", "zhurnalctl", NULL);
  g_autofree char *dir = account_dir (fixture, "teacher");
  g_autofree char *token_path = g_build_filename (dir, "token", NULL);
  const char *setups[] = {
    /* A daemon without a login keyring: the default collection is missing. */
    "gnome-keyring-daemon --start --components=secrets >/dev/null || exit 90\n",
    /* A login keyring made and unlocked, then locked again. */
    "echo -n keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null "
    "|| exit 90\n"
    "gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets "
    "--method org.freedesktop.Secret.Service.Lock \"['/org/freedesktop/secrets/collection/login']\" "
    ">/dev/null || exit 89\n",
  };
  const char *reasons[] = { "has no default collection", "is locked" };

  if (daemon == NULL || session == NULL || gdbus == NULL)
    {
      g_test_skip ("gnome-keyring-daemon, dbus-run-session or gdbus is not installed");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (setups); i++)
    {
      g_autofree char *script = NULL;
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      gint64 start = g_get_monotonic_time ();
      double seconds;

      /* `timeout` turns a hang into a failure the test reports instead of the suite's timeout. */
      script = g_strdup_printf ("%s"
                                "echo demo | timeout 20 '%s' login --server '%s' --user teacher "
                                "|| exit 91\n"
                                "test -e '%s' || exit 92\n"
                                "timeout 20 '%s' status || exit 93\n"
                                "timeout 20 '%s' logout || exit 94\n"
                                "test -e '%s' && exit 95\n"
                                "exit 0\n",
                                setups[i], ctl, server_url, token_path, ctl, ctl, token_path);
      launcher = new_launcher (fixture);
      g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
      process = g_subprocess_launcher_spawn (launcher, &error, session, "--", "sh", "-c", script,
                                             NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      g_test_message ("%s\n%s\n(%.1f s)", out, err, seconds);
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
      g_assert_nonnull (strstr (err, "The session token was not put in the keyring"));
      g_assert_nonnull (strstr (err, reasons[i]));
      g_assert_nonnull (strstr (out, "Signed in; the session token is in a file"));
      g_assert_cmpfloat (seconds, <, 15);
    }
}

static void
start_server (void)
{
  server_dir = zh_test_tmpdir_new ();
  server = zh_test_server_spawn (NULL, server_dir, &server_url, "--listen", "127.0.0.1:0",
                                 "--demo", "--demo-scale", "0.25", NULL);
}

static void
stop_server (void)
{
  zh_test_server_stop (server);
  g_clear_object (&server);
  g_clear_pointer (&server_url, g_free);
  zh_test_tmpdir_free (g_steal_pointer (&server_dir));
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  start_server ();

#define ADD(path, func) g_test_add (path, CtlFixture, NULL, ctl_setup, func, ctl_teardown)
  ADD ("/ctl/login/token-in-file-without-keyring", test_login_token_in_file_without_keyring);
  ADD ("/ctl/login/refusals", test_login_refusals);
  ADD ("/ctl/login/token-in-keyring", test_login_token_in_keyring);
  ADD ("/ctl/login/keyring-locked-or-missing-token-in-file", test_login_keyring_locked_or_missing);
  ADD ("/ctl/account/none-yet", test_no_account);
  ADD ("/ctl/copy/sync-edit-status-backup", test_sync_edit_status_backup);
  ADD ("/ctl/logout/ends-session-and-forgets-token", test_logout);
#undef ADD

  status = g_test_run ();
  stop_server ();
  return status;
}
