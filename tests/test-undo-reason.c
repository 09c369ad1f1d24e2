/* test-undo-reason: Ctrl+Z in the real window against the real zhurnal-server (--demo, scale 0.25)
 * on 127.0.0.1, signed in as the demo class teacher — «н» then «б» typed on a cell are taken back
 * newest first: the reason (the absence gets its code back, synced to the service), then the
 * absence; a reason typed on an absence found in the journal gives back its code and leaves the
 * absence, which this window did not type (002 §5.3, 000 §4.3.3). Keys go in through
 * ZhGrid::cell-input, as the grid emits them for a typed character (GTK 4 has no in-process key
 * synthesis, FACTS.md "GTK 4.8 headless"). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <sqlite3.h>

#include "zh-application.h"
#include "zh-grid-private.h"
#include "zh-version.h"
#include "zh-page-item.h"
#include "zh-window-private.h"
#include "zh-test-utils.h"

static char *server_dir;
static char *server_url;
static GSubprocess *server;
static ZhApplication *app;
static ZhWindow *window;
static gboolean done;

static void
start_server (const char *listen)
{
  g_free (server_url);
  server = zh_test_server_spawn (NULL, server_dir, &server_url, "--listen", listen, "--demo",
                                 "--demo-scale", "0.25", NULL);
}

static void
stop_server (void)
{
  zh_test_server_stop (server);
  g_clear_object (&server);
}

typedef gboolean (*Check) (void);

static void
wait_for (Check       check,
          const char *what)
{
  zh_test_wait_for (check, what, 60);
}

/* ---- checks --------------------------------------------------------------------------------- */

static gboolean
window_shown (void)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (active == NULL || !gtk_widget_get_mapped (GTK_WIDGET (active)))
    return FALSE;
  window = ZH_WINDOW (active);
  return TRUE;
}

static gboolean
journal_shown (void)
{
  return g_strcmp0 (_zh_window_get_main_page (window), "journal") == 0 &&
         _zh_window_get_page (window) != NULL;
}

static guint
n_waiting (void)
{
  return zh_sync_get_n_waiting (zh_session_get_sync (_zh_window_get_session (window)));
}

static gboolean
all_sent (void)
{
  ZhSync *sync = zh_session_get_sync (_zh_window_get_session (window));

  return zh_sync_get_online (sync) && !zh_sync_get_syncing (sync) && n_waiting () == 0;
}

static gboolean
toast_shown (void)
{
  return _zh_window_get_last_toast (window) != NULL;
}

/* A count from the service's own database (WAL: a reader sees what it committed). */
static gint64
server_count (const char *sql)
{
  g_autofree char *path = g_build_filename (server_dir, "zhurnal.sqlite", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* A count from the offline copy. */
static gint64
copy_count (const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (zh_session_get_offline_path (_zh_window_get_session (window)),
                                    &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* ---- the script ----------------------------------------------------------------------------- */

/* A key typed on the grid, through the grid's own key path (ZhGrid::cell-input at the cursor). */
static void
key (const char *text)
{
  g_assert_true (_zh_grid_key_pressed (_zh_window_get_grid (window),
                                       gdk_unicode_to_keyval (g_utf8_get_char (text)), 0));
  zh_test_spin (50);
}

static guint page_shown;
static guint shown_before;

static void
page_shown_cb (void)
{
  page_shown++;
}

static gboolean
page_read_again (void)
{
  return page_shown > shown_before;
}

/* Waits until the page has been read again at least once after the last wait. */
static void
wait_for_page (const char *what)
{
  wait_for (page_read_again, what);
  shown_before = page_shown;
}

static gint64
days_before_today (const char *date)
{
  GDate day, today;
  int y, m, d;

  g_assert_cmpint (sscanf (date, "%d-%d-%d", &y, &m, &d), ==, 3);
  g_date_set_dmy (&day, d, m, y);
  g_date_set_time_t (&today, time (NULL));
  return g_date_days_between (&day, &today);
}

/* The cell's attendance code as the copy's page has it, or -1 for none. */
static int
code_of (guint row,
         guint column)
{
  const ZhJournalCell *cell = zh_journal_page_get_cell (_zh_window_get_page (window), row, column);

  return (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE) ? cell->attendance : -1;
}

static void
wait_for_code (guint       row,
               guint       column,
               int         code,
               const char *what)
{
  while (code_of (row, column) != code)
    wait_for_page (what);
}

/* Waits for the page to show the cell other than @code, and returns what it shows. */
static int
wait_for_change (guint       row,
                 guint       column,
                 int         code,
                 const char *what)
{
  while (code_of (row, column) == code)
    wait_for_page (what);
  return code_of (row, column);
}

/* The service's count of attendance rows of the cell with @code (NULL: any). */
static gint64
server_attendance (const char *lesson_id,
                   const char *student_id,
                   const char *code)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM attendance WHERE lesson_id = '%s' "
                                          "AND student_id = '%s'%s%s%s", lesson_id, student_id,
                                          code != NULL ? " AND code = '" : "",
                                          code != NULL ? code : "", code != NULL ? "'" : "");

  return server_count (sql);
}

/* Whether the signed-in class teacher keeps the class of @group_id and teaches the group: they may
 * type both «н» (002 §5.2) and its reason (002 §5.3) in it. */
static gboolean
own_class_and_group (const char *group_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM study_group g JOIN class c "
                                          "ON c.id = g.class_id, meta m WHERE g.id = '%s' "
                                          "AND m.key = 'staff_id' AND g.teacher_id = m.value "
                                          "AND c.class_teacher_id = m.value", group_id);

  return copy_count (sql) == 1;
}

static gboolean
run_script (gpointer data)
{
  ZhJournalPage *page = NULL;
  ZhGrid *grid;
  GListModel *pages;
  g_autofree char *lesson_id = NULL;
  g_autofree char *student_id = NULL;
  g_autofree char *found_lesson = NULL;
  g_autofree char *found_student = NULL;
  guint column = G_MAXUINT, row0 = G_MAXUINT, found_row = G_MAXUINT, found_column = G_MAXUINT;
  guint window_days;
  int found_code = -1, code;
  const char *reason_key;
  ZhAttendanceCode reason;

  wait_for (window_shown, "the window");
  g_signal_connect (window, "page-shown", G_CALLBACK (page_shown_cb), NULL);
  zh_window_sign_in (window, server_url, "classteacher", "demo");
  wait_for (journal_shown, "the journal after the first sync");
  wait_for (all_sent, "the first sync");

  /* The year page of a group of the class teacher's own class that they teach, a lesson inside the
   * edit window (004 §3.6) up to today with an empty cell, and one with an absence recorded. */
  pages = _zh_window_get_pages (window);
  for (guint i = 0; i < g_list_model_get_n_items (pages) && column == G_MAXUINT; i++)
    {
      g_autoptr(ZhPageItem) item = g_list_model_get_item (pages, i);
      const char *group_id;

      if (zh_page_item_is_header (item))
        continue;
      group_id = zh_page_item_get_info (item)->group_id;
      if (!own_class_and_group (group_id))
        continue;
      shown_before = page_shown;
      g_assert_true (zh_window_select_page (window, group_id, "year"));
      wait_for_page ("the year page");
      page = _zh_window_get_page (window);
      g_assert_cmpstr (page->info.group_id, ==, group_id);
      window_days = zh_policy_get_edit_window_days (page->policy);
      found_row = found_column = G_MAXUINT;
      for (guint c = 0; c < page->n_lessons; c++)
        {
          gint64 days = days_before_today (page->lessons[c].date);

          if (days < 0 || days >= window_days)
            continue;
          for (guint r = 0; r < page->n_rows; r++)
            {
              const ZhJournalCell *cell = zh_journal_page_get_cell (page, r, c);

              if (!(cell->flags & ZH_JOURNAL_CELL_MEMBER))
                continue;
              if (!(cell->flags & ZH_JOURNAL_CELL_ATTENDANCE) && cell->n_marks == 0 &&
                  column == G_MAXUINT)
                {
                  column = c;
                  row0 = r;
                }
              else if ((cell->flags & ZH_JOURNAL_CELL_ATTENDANCE) && found_row == G_MAXUINT &&
                       (column != c || row0 != r))
                {
                  found_row = r;
                  found_column = c;
                  found_code = cell->attendance;
                }
            }
        }
      if (found_row == G_MAXUINT)
        column = G_MAXUINT;
    }
  g_assert_cmpuint (column, !=, G_MAXUINT);
  g_assert_cmpuint (found_row, !=, G_MAXUINT);
  lesson_id = g_strdup (page->lessons[column].id);
  student_id = g_strdup (page->rows[row0].student_id);
  found_lesson = g_strdup (page->lessons[found_column].id);
  found_student = g_strdup (page->rows[found_row].student_id);
  grid = _zh_window_get_grid (window);

  /* «н», then «б» on it: both reach the service. */
  zh_grid_set_cursor (grid, row0, column);
  key ("н");
  wait_for_code (row0, column, ZH_ATTENDANCE_ABSENT, "the page with the absence");
  zh_grid_set_cursor (grid, row0, column);
  key ("б");
  wait_for_code (row0, column, ZH_ATTENDANCE_ILL, "the page with the reason");
  wait_for (all_sent, "the absence and its reason synced");
  g_assert_cmpint (server_attendance (lesson_id, student_id, "ill"), ==, 1);

  /* The first Ctrl+Z takes back the reason: the absence is plain «н» again, in the copy, then at
   * the service through the outbox. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  code = wait_for_change (row0, column, ZH_ATTENDANCE_ILL, "the page without the reason");
  g_assert_cmpint (code, ==, ZH_ATTENDANCE_ABSENT);
  wait_for (all_sent, "the reason taken back synced");
  g_assert_cmpint (server_attendance (lesson_id, student_id, "absent"), ==, 1);

  /* The second takes back the absence itself. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  code = wait_for_change (row0, column, ZH_ATTENDANCE_ABSENT, "the page without the absence");
  g_assert_cmpint (code, ==, -1);
  wait_for (all_sent, "the absence taken back synced");
  g_assert_cmpint (server_attendance (lesson_id, student_id, NULL), ==, 0);
  g_assert_null (_zh_window_get_last_toast (window));

  /* A reason typed on an absence this window did not type: Ctrl+Z gives back the code it had and
   * stops there — the absence stays. */
  reason = found_code == ZH_ATTENDANCE_INVALID ? ZH_ATTENDANCE_VALID : ZH_ATTENDANCE_INVALID;
  reason_key = reason == ZH_ATTENDANCE_VALID ? "у" : "п";
  zh_grid_set_cursor (grid, found_row, found_column);
  key (reason_key);
  wait_for_code (found_row, found_column, reason, "the page with the new reason");
  wait_for (all_sent, "the new reason synced");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  code = wait_for_change (found_row, found_column, reason, "the page with the code given back");
  g_assert_cmpint (code, ==, found_code);
  wait_for (all_sent, "the code given back synced");
  g_assert_cmpint (server_attendance (found_lesson, found_student,
                                      zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, found_code)), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  wait_for (toast_shown, "nothing more to undo");
  g_assert_true (g_str_has_prefix (_zh_window_get_last_toast (window), "Отменять нечего"));
  zh_test_spin (300);
  g_assert_cmpint (code_of (found_row, found_column), ==, found_code);
  g_assert_cmpint (copy_count ("SELECT count(*) FROM outbox"), ==, 0);

  done = TRUE;
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
test_undo_reason (void)
{
  char *argv[] = { (char *) "zhurnal", NULL };

  app = zh_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_timeout_add (20, run_script, NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 1, argv), ==, 0);
  g_assert_true (done);
  g_clear_object (&app);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  int status;

  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("ZH_TEST_SYNC_SCHEDULE", "500", TRUE);
  g_unsetenv ("ZH_SERVER_URL");
  home = zh_test_tmpdir_new ();
  data = g_build_filename (home, "data", NULL);
  config = g_build_filename (home, "config", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  zh_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);

  server_dir = zh_test_tmpdir_new ();
  start_server ("127.0.0.1:0");

  g_test_add_func ("/undo/reason-then-absence-newest-first", test_undo_reason);
  status = g_test_run ();

  stop_server ();
  zh_test_tmpdir_free (server_dir);
  zh_test_tmpdir_free (g_steal_pointer (&home));
  g_free (server_url);
  return status;
}
