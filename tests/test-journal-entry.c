/* test-journal-entry: the real window against the real zhurnal-server (--demo, scale 0.25) on
 * 127.0.0.1 — sign in, type a row of marks and an absence, see them wait in the offline copy and
 * then synced; stop the server, keep typing, start it again, see them synced; refusals shown
 * (issue 6 §1, §3, §4, §6). Keys go in through ZhGrid::cell-input, as the grid emits them for a
 * typed character (GTK 4 has no in-process key synthesis, FACTS.md "GTK 4.8 headless"). */
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

static void
save_screenshot (const char *name)
{
  GtkWidget *widget = GTK_WIDGET (window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = zh_test_build_path ("tests", name, NULL);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  zh_test_spin (300);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_test_message ("screenshot %s: nothing drawn yet (%d×%d)", name, width, height);
      return;
    }
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
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
window_allocated (void)
{
  return gtk_widget_get_width (GTK_WIDGET (window)) > 0;
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

static guint expected_waiting;

static gboolean
edits_waiting (void)
{
  return n_waiting () >= expected_waiting;
}

static gboolean
went_offline (void)
{
  return !zh_sync_get_online (zh_session_get_sync (_zh_window_get_session (window)));
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

/* The state the grid's model gives the cell. */
static ZhGridCellFlags
cell_flags (guint row,
            guint column)
{
  ZhGridModel *model = zh_grid_get_model (_zh_window_get_grid (window));
  ZhGridCell cell = { 0 };

  zh_grid_model_get_cell (model, row, column, &cell);
  return cell.flags;
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

static gboolean sign_in_refused (void);

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

static void
page_shown_cb (void)
{
  page_shown++;
}

/* Waits until the page has been read again at least once after now. */
static guint shown_before;

static gboolean
page_read_again (void)
{
  return page_shown > shown_before;
}

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

/* The cell's marks as the copy's page has them. */
static guint
n_marks (guint row,
         guint column)
{
  return zh_journal_page_get_cell (_zh_window_get_page (window), row, column)->n_marks;
}

static gboolean
has_absence (guint row,
             guint column)
{
  return (zh_journal_page_get_cell (_zh_window_get_page (window), row, column)->flags &
          ZH_JOURNAL_CELL_ATTENDANCE) != 0;
}

static gboolean
empty_member (ZhJournalPage *page,
              guint          row,
              guint          column)
{
  const ZhJournalCell *cell = zh_journal_page_get_cell (page, row, column);

  return (cell->flags & ZH_JOURNAL_CELL_MEMBER) && cell->n_marks == 0 &&
         !(cell->flags & ZH_JOURNAL_CELL_ATTENDANCE);
}

static const char *
refusal_toast (void)
{
  const char *toast = _zh_window_get_last_toast (window);

  return toast != NULL ? toast : "";
}

static gboolean
run_script (gpointer data)
{
  ZhJournalPage *page = NULL;
  ZhGrid *grid;
  g_autofree char *sql = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *first_mark = NULL;
  g_autofree char *group_id = NULL;
  g_autofree char *lesson_id = NULL;
  guint column = G_MAXUINT, old_column = G_MAXUINT, row0 = G_MAXUINT;
  guint locked_row = G_MAXUINT, locked_column = G_MAXUINT;
  guint window_days = 0, row, cursor_column;
  GListModel *pages;
  const char *toast;

  wait_for (window_shown, "the window");
  g_signal_connect (window, "page-shown", G_CALLBACK (page_shown_cb), NULL);
  /* No account kept: the sign-in form (issue 6 §1). */
  g_assert_cmpstr (_zh_window_get_main_page (window), ==, "signin");
  wait_for (window_allocated, "the window's first frame");
  save_screenshot ("signin.png");
  zh_window_sign_in (window, server_url, "teacher", "wrong");
  wait_for (sign_in_refused, "the wrong password refused");
  g_assert_cmpstr (_zh_window_get_main_page (window), ==, "signin");

  zh_window_sign_in (window, server_url, "teacher", "demo");
  wait_for (journal_shown, "the journal after the first sync");
  wait_for (all_sent, "the first sync");

  /* A year page with a lesson inside the edit window where five students in a row have empty
   * cells, and a lesson past the window. Which of the teacher's groups has one depends on the
   * weekday (their timetables differ), so every group is tried in the sidebar's order. */
  pages = _zh_window_get_pages (window);
  for (guint i = 0; i < g_list_model_get_n_items (pages) && column == G_MAXUINT; i++)
    {
      g_autoptr(ZhPageItem) item = g_list_model_get_item (pages, i);

      if (zh_page_item_is_header (item))
        continue;
      g_free (group_id);
      group_id = g_strdup (zh_page_item_get_info (item)->group_id);
      shown_before = page_shown;
      g_assert_true (zh_window_select_page (window, group_id, "year"));
      wait_for_page ("the year page");
      page = _zh_window_get_page (window);
      g_assert_cmpstr (page->info.group_id, ==, group_id);
      g_assert_null (page->period.id);
      window_days = zh_policy_get_edit_window_days (page->policy);
      old_column = G_MAXUINT;

      /* The last lesson up to today with five students in a row with empty cells; a lesson past
       * the edit window; a mark of the demo year inside it (entered long ago). */
      for (guint c = 0; c < page->n_lessons; c++)
        {
          gint64 days = days_before_today (page->lessons[c].date);

          if (days >= 0 && days < window_days)
            for (guint r = 0; r + 5 <= page->n_rows; r++)
              {
                gboolean empty = TRUE;

                for (guint k = 0; k < 5 && empty; k++)
                  empty = empty_member (page, r + k, c);
                if (empty)
                  {
                    column = c;
                    row0 = r;
                    break;
                  }
              }
          if (days > window_days + 1)
            old_column = c;
        }
    }
  g_assert_cmpuint (column, !=, G_MAXUINT);
  g_assert_cmpuint (old_column, !=, G_MAXUINT);
  for (guint c = 0; c < page->n_lessons && locked_row == G_MAXUINT; c++)
    {
      gint64 days = days_before_today (page->lessons[c].date);

      for (guint r = 0; days >= 1 && days < window_days && r < page->n_rows; r++)
        if (zh_journal_page_get_cell (page, r, c)->n_marks > 0 &&
            !(zh_journal_page_get_cell (page, r, c)->flags & ZH_JOURNAL_CELL_ATTENDANCE))
          {
            locked_row = r;
            locked_column = c;
            break;
          }
    }
  g_assert_cmpuint (locked_row, !=, G_MAXUINT);
  lesson_id = g_strdup (page->lessons[column].id);

  /* A row of marks and an absence typed down the column: each saved in the copy and waiting
   * (the sync waits 1.5 s after an edit), then synced (issue 6 §3, §4). */
  grid = _zh_window_get_grid (window);
  zh_grid_set_cursor (grid, row0, column);
  key ("5");
  key ("4");
  key ("н");
  g_assert_true (zh_grid_get_cursor (grid, &row, &cursor_column));
  g_assert_cmpuint (row, ==, row0 + 3);
  g_assert_cmpuint (cursor_column, ==, column);
  expected_waiting = 3;
  wait_for (edits_waiting, "the edits in the outbox");
  while (n_marks (row0 + 1, column) == 0 || !has_absence (row0 + 2, column))
    wait_for_page ("the page with the edits");
  for (guint k = 0; k < 3; k++)
    g_assert_true (cell_flags (row0 + k, column) & ZH_GRID_CELL_WAITING);
  /* The cursor stayed where typing goes on, through the page read again. */
  g_assert_true (zh_grid_get_cursor (grid, &row, &cursor_column));
  g_assert_cmpuint (row, ==, row0 + 3);
  g_assert_cmpuint (cursor_column, ==, column);
  save_screenshot ("entry.png");
  wait_for (all_sent, "the edits synced");
  zh_test_spin (300);
  for (guint k = 0; k < 3; k++)
    g_assert_false (cell_flags (row0 + k, column) & ZH_GRID_CELL_WAITING);
  sql = g_strdup_printf ("SELECT count(*) FROM mark WHERE lesson_id = '%s' AND rev > 0 "
                         "AND value IN ('5', '4')", lesson_id);
  /* The page read again: the earlier one is gone. */
  page = _zh_window_get_page (window);
  first_mark = g_strdup (page->marks[zh_journal_page_get_cell (page, row0, column)->first_mark].id);
  g_assert_cmpint (copy_count (sql), >=, 2);
  g_assert_cmpint (copy_count ("SELECT count(*) FROM outbox"), ==, 0);

  /* The service stops: typing goes on, the edits wait, the header says offline (issue 6 §6). */
  listen = g_strdup (server_url + strlen ("http://"));
  if (strchr (listen, '/') != NULL)
    *strchr (listen, '/') = '\0';
  stop_server ();
  expected_waiting = 1;
  key ("3");
  wait_for (edits_waiting, "the edit made offline");
  wait_for (went_offline, "the sync to find the service away");
  /* Ctrl+Z on a mark never sent: it goes, and nothing of it is ever sent. */
  key ("2");
  expected_waiting = 2;
  wait_for (edits_waiting, "the second edit made offline");
  while (n_marks (row0 + 4, column) == 0)
    wait_for_page ("the page with the second offline edit");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  while (n_marks (row0 + 4, column) != 0)
    wait_for_page ("the page without the mark taken back");
  g_assert_cmpuint (n_waiting (), ==, 1);
  g_assert_cmpint (copy_count ("SELECT count(*) FROM outbox"), ==, 1);
  zh_test_spin (200);
  /* «Нет связи с URL с HH:MM · 1 изменение ждёт отправки» */
  g_assert_nonnull (strstr (_zh_window_get_status (window), server_url));
  g_assert_nonnull (strstr (_zh_window_get_status (window), " · 1 "));
  g_assert_true (cell_flags (row0 + 3, column) & ZH_GRID_CELL_WAITING);
  save_screenshot ("offline.png");

  /* Back: the waiting edit is synced. */
  start_server (listen);
  wait_for (all_sent, "the edit synced after the restart");
  zh_test_spin (300);
  g_assert_cmpint (copy_count ("SELECT count(*) FROM outbox"), ==, 0);
  g_assert_false (cell_flags (row0 + 3, column) & ZH_GRID_CELL_WAITING);

  /* Backspace on the first mark, sent and synced, still in its author's grace (002 §5.2 and the
   * school's undo_seconds): the delete goes after the put, and the service ends with no mark. */
  zh_grid_set_cursor (grid, row0, column);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (grid), "grid.delete-cell", NULL));
  while (n_marks (row0, column) != 0)
    wait_for_page ("the page without the mark taken back");
  wait_for (all_sent, "the delete synced");
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM mark WHERE id = '%s'", first_mark);
  g_assert_cmpint (server_count (sql), ==, 0);
  g_assert_cmpint (copy_count (sql), ==, 0);

  /* Refusals, at once, with the policy's reason in Russian. 002 §5.2: a mark entered long ago
   * is not deleted by a teacher. */
  g_assert_null (_zh_window_get_last_toast (window));
  zh_grid_set_cursor (grid, locked_row, locked_column);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (grid), "grid.delete-cell", NULL));
  wait_for (toast_shown, "the refusal");
  toast = refusal_toast ();
  g_assert_cmpstr (toast, ==, _("A mark already entered cannot be changed or deleted, nor its "
                                "comment; it can only be corrected by the school administration "
                                "on a document"));
  g_assert_true (g_str_has_prefix (toast, "Выставленную отметку"));
  g_assert_cmpuint (n_marks (locked_row, locked_column), >, 0);

  /* 004 §3.6: nothing typed into a lesson past the edit window. */
  zh_grid_set_cursor (grid, row0, old_column);
  key ("5");
  while (g_str_has_prefix (refusal_toast (), "Выставленную"))
    zh_test_spin (20);
  g_assert_true (g_str_has_prefix (refusal_toast (), "Урок "));
  g_assert_nonnull (strstr (refusal_toast (), "больше нельзя изменить"));

  done = TRUE;
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static gboolean
sign_in_refused (void)
{
  return _zh_window_get_sign_in_error (window)[0] != '\0';
}

static void
test_entry_against_server (void)
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
  g_setenv ("ZH_TEST_SYNC_SCHEDULE", "1500", TRUE);
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

  g_test_add_func ("/journal-entry/sign-in-type-offline-sync", test_entry_against_server);
  status = g_test_run ();

  stop_server ();
  zh_test_tmpdir_free (server_dir);
  zh_test_tmpdir_free (g_steal_pointer (&home));
  g_free (server_url);
  return status;
}
