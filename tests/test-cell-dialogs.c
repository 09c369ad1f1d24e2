/* test-cell-dialogs: the journal window's cell dialogs against the real zhurnal-server (--demo,
 * scale 0.25) on 127.0.0.1 (issue 6 §3, §4, §6): the popover's form of control, comment and
 * double mark land in the offline copy; the conflicts list shows a conflict and a refusal and
 * settles them both ways; a deputy's correction is refused without a document and made with one;
 * the history panel shows the corrected mark's entries. The widgets are the real ones, driven
 * through their own signals (GTK 4 has no in-process key synthesis, FACTS.md). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <glib/gi18n.h>
#include <sqlite3.h>

#include "zh-application.h"
#include "zh-cell-popover.h"
#include "zh-conflicts-dialog.h"
#include "zh-correction-dialog.h"
#include "zh-version.h"
#include "zh-window-private.h"
#include "zh-test-utils.h"

static char *server_dir;
static char *server_url;
static GSubprocess *server;
static ZhApplication *app;
static ZhWindow *window;
static gboolean done;

static void
start_server (void)
{
  server = zh_test_server_spawn (NULL, server_dir, &server_url, "--listen", "127.0.0.1:0",
                                 "--demo", "--demo-scale", "0.25", NULL);
}

typedef gboolean (*Check) (void);

static void
wait_for (Check       check,
          const char *what)
{
  zh_test_wait_for (check, what, 90);
}

/* The whole screen (popovers and dialogs are surfaces of their own), into the build dir. */
static void
save_screenshot (const char *name)
{
  g_autofree char *path = zh_test_build_path ("tests", name, NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "import", "-window", "root", path, NULL };
  int status = 0;

  zh_test_spin (400);
  if (g_getenv ("DISPLAY") == NULL ||
      !g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error) ||
      status != 0)
    g_test_message ("screenshot %s not taken", name);
  else
    g_test_message ("screenshot: %s", path);
}

/* ---- checks --------------------------------------------------------------------------------- */

static gboolean
window_shown (void)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (active == NULL || !ZH_IS_WINDOW (active) || !gtk_widget_get_mapped (GTK_WIDGET (active)))
    return FALSE;
  window = ZH_WINDOW (active);
  return TRUE;
}

static gboolean
sign_in_shown (void)
{
  return g_strcmp0 (_zh_window_get_main_page (window), "signin") == 0;
}

static gboolean
journal_shown (void)
{
  return g_strcmp0 (_zh_window_get_main_page (window), "journal") == 0 &&
         _zh_window_get_page (window) != NULL;
}

static gboolean
all_sent (void)
{
  ZhSync *sync = zh_session_get_sync (_zh_window_get_session (window));

  return zh_sync_get_online (sync) && !zh_sync_get_syncing (sync) &&
         zh_sync_get_n_waiting (sync) == 0 && zh_sync_get_last_sync (sync) > 0;
}

/* The page on the grid has a cell with one mark: after a first sync the window reads its page again
 * in a worker, so the page shown while the copy was still empty is replaced a little later. */
static gboolean
page_has_single_mark (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);

  for (guint c = 0; page != NULL && c < page->n_lessons; c++)
    for (guint r = 0; r < page->n_rows; r++)
      if (zh_journal_page_get_cell (page, r, c)->n_marks == 1)
        return TRUE;
  return FALSE;
}

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

static const char *expected_sql;

static gboolean
copy_has (void)
{
  return copy_count (expected_sql) > 0;
}

static void
wait_copy_has (const char *sql)
{
  expected_sql = sql;
  wait_for (copy_has, sql);
}

static gboolean
popover_closed (void)
{
  return !gtk_widget_get_visible (_zh_window_get_cell_popover (window));
}

static gboolean
no_dialog (void)
{
  return _zh_window_get_dialog (window) == NULL;
}

static gboolean
dialog_error_shown (void)
{
  return zh_correction_dialog_get_error (ZH_CORRECTION_DIALOG (_zh_window_get_dialog (window)))[0] != '\0';
}

static gboolean
conflicts_ready (void)
{
  return !_zh_conflicts_dialog_get_busy (ZH_CONFLICTS_DIALOG (_zh_window_get_dialog (window)));
}

static gboolean
history_ready (void)
{
  return !_zh_history_panel_get_busy (_zh_window_get_history_panel (window));
}

/* ---- the script ----------------------------------------------------------------------------- */

/* The last lesson up to today and free cells of the page's students in it. */
static guint
free_cells (guint *rows,
            guint  n_wanted)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  guint column = G_MAXUINT;
  guint n = 0;

  for (guint c = 0; c < page->n_lessons; c++)
    if (strcmp (page->lessons[c].date, today) <= 0)
      column = c;
  g_assert_cmpuint (column, !=, G_MAXUINT);
  for (guint r = 0; r < page->n_rows && n < n_wanted; r++)
    {
      const ZhJournalCell *cell = zh_journal_page_get_cell (page, r, column);

      if ((cell->flags & ZH_JOURNAL_CELL_MEMBER) && cell->n_marks == 0 &&
          !(cell->flags & ZH_JOURNAL_CELL_ATTENDANCE))
        rows[n++] = r;
    }
  g_assert_cmpuint (n, ==, n_wanted);
  return column;
}

static ZhCellPopover *
open_popover (guint row,
              guint column)
{
  ZhGrid *grid = _zh_window_get_grid (window);

  zh_grid_set_cursor (grid, row, column);
  gtk_widget_grab_focus (GTK_WIDGET (grid));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-cell", NULL);
  zh_test_spin (100);
  g_assert_nonnull (_zh_window_get_cell_popover (window));
  g_assert_true (gtk_widget_get_visible (_zh_window_get_cell_popover (window)));
  return ZH_CELL_POPOVER (_zh_window_get_cell_popover (window));
}

/* Issue 6 §3: the form of control, its weight in the average, a comment and a double mark. */
static void
popover_script (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  ZhCellPopover *popover;
  g_autofree char *sql = NULL;
  guint rows[2];
  guint column = free_cells (rows, 2);
  /* The page is read again after each edit: keep copies. */
  g_autofree char *lesson_id = g_strdup (page->lessons[column].id);
  g_autofree char *student0 = g_strdup (page->rows[rows[0]].student_id);
  g_autofree char *student1 = g_strdup (page->rows[rows[1]].student_id);

  popover = open_popover (rows[0], column);
  _zh_cell_popover_choose (popover, "4", "test", NULL, "Устный ответ у доски");
  save_screenshot ("cell-popover.png");
  g_signal_emit_by_name (popover, "save");
  wait_for (popover_closed, "the popover to close after saving");
  sql = g_strdup_printf ("SELECT count(*) FROM mark WHERE lesson_id = '%s' AND student_id = '%s' "
                         "AND value = '4' AND work_type = 'test' AND weight = 2 AND part = 0 "
                         "AND comment = 'Устный ответ у доски'", lesson_id, student0);
  wait_copy_has (sql);
  /* Escape/Cancel gives the focus back to the grid. */
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (_zh_window_get_grid (window))));

  /* A double mark: both halves, parts 1 and 2 (002 §5.2). */
  popover = open_popover (rows[1], column);
  _zh_cell_popover_choose (popover, "5", "essay", "4", NULL);
  g_signal_emit_by_name (popover, "save");
  wait_for (popover_closed, "the popover to close after the double mark");
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) = 2 AND min (part) = 1 AND max (part) = 2 "
                         "AND group_concat (value, '/') = '5/4' FROM (SELECT * FROM mark "
                         "WHERE lesson_id = '%s' AND student_id = '%s' AND work_type = 'essay' "
                         "ORDER BY part)", lesson_id, student1);
  wait_copy_has (sql);
  wait_for (all_sent, "the popover's marks synced");
}

/* Writes an edit into the copy with its outbox operation already answered @state (a crafted
 * answer: the sync never sends an operation that is not pending). Returns the mark's id. */
static char *
craft_answered_edit (guint         row,
                     guint         column,
                     ZhOutboxState state)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhOffline) copy = zh_offline_open_path (zh_session_get_offline_path (_zh_window_get_session (window)),
                                                    &error);
  ZhStore *store = zh_offline_get_store (copy);
  g_autofree char *sql = NULL;
  char *mark_id = NULL;

  g_assert_no_error (error);
  g_assert_true (zh_store_lock (store, &error));
  g_assert_true (zh_offline_add_mark (copy, page->lessons[page->n_lessons > column ? column : 0].id,
                                      page->rows[row].student_id, "3", "answer", "",
                                      g_get_real_time () / G_USEC_PER_SEC, &mark_id, &error));
  g_assert_no_error (error);
  if (state == ZH_OUTBOX_CONFLICT)
    sql = g_strdup_printf ("UPDATE outbox SET state = 'conflict', attempts = 1, server_value = "
                           "json_set (value, '$.value', '5', '$.rev', 1) WHERE entity_id = '%s'",
                           mark_id);
  else
    sql = g_strdup_printf ("UPDATE outbox SET state = 'rejected', attempts = 1, reason_code = "
                           "'edit_window_closed', reason_message = 'Урок уже нельзя изменить' "
                           "WHERE entity_id = '%s'", mark_id);
  g_assert_true (zh_store_exec (store, sql, &error));
  g_assert_true (zh_store_unlock (store, ZH_STORE_UNLOCK_COMMIT, &error));
  g_assert_no_error (error);
  return mark_id;
}

static guint
find_item (ZhConflictsDialog *dialog,
           const char        *needle)
{
  for (guint i = 0; i < _zh_conflicts_dialog_get_n_items (dialog); i++)
    if (strstr (_zh_conflicts_dialog_get_text (dialog, i), needle) != NULL)
      return i;
  g_error ("no item with “%s” in the conflicts list", needle);
}

/* Issue 6 §6, docs/sync.md "Answers and what the user does". */
static void
conflicts_script (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  ZhConflictsDialog *dialog;
  g_autofree char *theirs_id = NULL;
  g_autofree char *mine_id = NULL;
  g_autofree char *refused_id = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *student = NULL;
  guint rows[3];
  guint column = free_cells (rows, 3);

  /* The page may be read again at any time (a sync brought changes): keep copies. */
  g_autofree char *class_name = g_strdup (page->info.class_name);
  g_autofree char *subject_name = g_strdup (page->info.subject_name);

  theirs_id = craft_answered_edit (rows[0], column, ZH_OUTBOX_CONFLICT);
  mine_id = craft_answered_edit (rows[1], column, ZH_OUTBOX_CONFLICT);
  refused_id = craft_answered_edit (rows[2], column, ZH_OUTBOX_REJECTED);
  student = g_strdup (page->rows[rows[0]].last_name);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-conflicts", NULL);
  zh_test_spin (50);
  g_assert_true (ZH_IS_CONFLICTS_DIALOG (_zh_window_get_dialog (window)));
  dialog = ZH_CONFLICTS_DIALOG (_zh_window_get_dialog (window));
  wait_for (conflicts_ready, "the conflicts list");
  g_assert_cmpuint (_zh_conflicts_dialog_get_n_items (dialog), ==, 3);
  /* In words: class — subject, date, student; what was typed and the service's version. */
  {
    const char *text = _zh_conflicts_dialog_get_text (dialog, find_item (dialog, student));

    g_assert_nonnull (strstr (text, class_name));
    g_assert_nonnull (strstr (text, subject_name));
    g_assert_nonnull (strstr (text, student));
    /* Mine «3», the service's «5» (the words around them are translated). */
    g_assert_nonnull (strstr (text, " 3 ("));
    g_assert_nonnull (strstr (text, " 5 ("));
  }
  g_assert_nonnull (strstr (_zh_conflicts_dialog_get_text (dialog, find_item (dialog, "Урок уже")),
                            "Урок уже нельзя изменить"));
  save_screenshot ("conflicts.png");

  /* Take the service's: the mark goes (the service has none). */
  _zh_conflicts_dialog_settle (dialog, find_item (dialog, student), ZH_RESOLVE_TAKE_THEIRS);
  wait_for (conflicts_ready, "taking the service's version");
  g_assert_cmpuint (_zh_conflicts_dialog_get_n_items (dialog), ==, 2);
  sql = g_strdup_printf ("SELECT count(*) = 0 FROM mark WHERE id = '%s'", theirs_id);
  wait_copy_has (sql);
  /* Undo the refused change: it goes too. */
  _zh_conflicts_dialog_settle (dialog, find_item (dialog, "Урок уже"), -1);
  wait_for (conflicts_ready, "undoing the refused change");
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) = 0 FROM mark WHERE id = '%s'", refused_id);
  wait_copy_has (sql);
  /* Keep mine: sent again and applied by the service. */
  _zh_conflicts_dialog_settle (dialog, 0, ZH_RESOLVE_KEEP_MINE);
  wait_for (conflicts_ready, "keeping mine");
  g_assert_cmpuint (_zh_conflicts_dialog_get_n_items (dialog), ==, 0);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM mark WHERE id = '%s' AND rev > 0 AND value = '3'",
                         mine_id);
  wait_copy_has (sql);
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for (no_dialog, "the list closed");
}

/* Issue 6 §4, 002 §7: the deputy corrects a mark; the history shows both marks and the
 * correction with reason, document, author and time. */
static void
correction_script (void)
{
  ZhJournalPage *page = _zh_window_get_page (window);
  ZhCorrectionDialog *dialog;
  g_autofree char *history = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *mark_id = NULL;
  g_autofree char *student_id = NULL;
  g_autofree char *lesson_id = NULL;
  guint row = G_MAXUINT, column = 0;

  /* A cell with a mark, synced. */
  for (guint c = 0; c < page->n_lessons && row == G_MAXUINT; c++)
    for (guint r = 0; r < page->n_rows && row == G_MAXUINT; r++)
      if (zh_journal_page_get_cell (page, r, c)->n_marks == 1)
        {
          row = r;
          column = c;
        }
  g_assert_cmpuint (row, !=, G_MAXUINT);
  mark_id = g_strdup (zh_journal_page_get_marks (page, zh_journal_page_get_cell (page, row, column))->id);
  student_id = g_strdup (page->rows[row].student_id);
  lesson_id = g_strdup (page->lessons[column].id);
  zh_grid_set_cursor (_zh_window_get_grid (window), row, column);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.correct-mark", NULL);
  zh_test_spin (50);
  g_assert_true (ZH_IS_CORRECTION_DIALOG (_zh_window_get_dialog (window)));
  dialog = ZH_CORRECTION_DIALOG (_zh_window_get_dialog (window));

  /* No document: refused in Russian, nothing waits. */
  _zh_correction_dialog_fill (dialog, "3", ZH_CORRECTION_REASON_APPEAL_UPHELD, "   ");
  g_signal_emit_by_name (dialog, "correct");
  wait_for (dialog_error_shown, "the refusal without a document");
  g_assert_cmpstr (zh_correction_dialog_get_error (dialog), ==,
                   "Для исправления нужен документ-основание: укажите его номер и дату");
  g_assert_cmpint (copy_count ("SELECT count(*) FROM outbox"), ==, 0);
  save_screenshot ("correction.png");

  _zh_correction_dialog_fill (dialog, "3", ZH_CORRECTION_REASON_APPEAL_UPHELD,
                              "Приказ № 45 от 12.11.2026");
  g_signal_emit_by_name (dialog, "correct");
  wait_for (no_dialog, "the dialog closed after the correction");
  g_assert_cmpint (copy_count ("SELECT count(*) FROM outbox WHERE action = 'correct' AND "
                               "json_extract (correction, '$.document') = "
                               "'Приказ № 45 от 12.11.2026' AND json_extract (correction, "
                               "'$.reason') = 'appeal_upheld'"), ==, 1);
  wait_for (all_sent, "the correction synced");
  sql = g_strdup_printf ("SELECT count(*) FROM correction WHERE target_id = '%s' AND new_value = '3' "
                         "AND document = 'Приказ № 45 от 12.11.2026'", mark_id);
  wait_copy_has (sql);

  /* The history panel, following the cursor; the page was read again, so the cell is found
   * by its student and lesson. */
  zh_test_spin (500);
  page = _zh_window_get_page (window);
  row = (guint) zh_journal_page_find_row (page, student_id);
  column = (guint) zh_journal_page_find_column (page, lesson_id);
  zh_grid_set_cursor (_zh_window_get_grid (window), row, column);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-history", NULL);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (_zh_window_get_history_panel (window))));
  g_assert_true (zh_history_panel_is_showing (_zh_window_get_history_panel (window), student_id,
                                              lesson_id));
  wait_for (history_ready, "the cell's history");
  history = _zh_history_panel_dup_text (_zh_window_get_history_panel (window));
  g_test_message ("history:\n%s", history);
  g_assert_nonnull (strstr (history, "Приказ № 45 от 12.11.2026"));
  g_assert_nonnull (strstr (history, "апелляция родителей удовлетворена комиссией"));
  /* dd.mm.yyyy HH:MM */
  g_assert_true (g_regex_match_simple ("\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d", history, 0, 0));
  save_screenshot ("history.png");
}

static gboolean
run_script (gpointer data)
{
  wait_for (window_shown, "the window");
  wait_for (sign_in_shown, "the sign-in form");
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);

  zh_window_sign_in (window, server_url, "teacher", "demo");
  wait_for (journal_shown, "the teacher's journal");
  wait_for (all_sent, "the teacher's first sync");
  popover_script ();
  conflicts_script ();

  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  wait_for (sign_in_shown, "the sign-in form again");
  zh_window_sign_in (window, server_url, "deputy", "demo");
  wait_for (journal_shown, "the deputy's journal");
  wait_for (all_sent, "the deputy's first sync");
  wait_for (page_has_single_mark, "the deputy's page read again after the first sync");
  correction_script ();

  done = TRUE;
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
test_cell_dialogs (void)
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
  char *home = NULL;   /* freed by zh_test_tmpdir_free */
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  int status;

  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("ZH_TEST_SYNC_SCHEDULE", "1", TRUE);
  g_unsetenv ("ZH_SERVER_URL");
  /* No keyring answers (none prompts, a developer's own is never touched): the token goes to the
   * 0600 file, as on a computer without a Secret Service. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  home = zh_test_tmpdir_new ();
  data = g_build_filename (home, "data", NULL);
  config = g_build_filename (home, "config", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  zh_i18n_init ();
  gtk_test_init (&argc, &argv, NULL);

  server_dir = zh_test_tmpdir_new ();
  start_server ();

  g_test_add_func ("/cell-dialogs/popover-conflicts-correction-history", test_cell_dialogs);
  status = g_test_run ();

  zh_test_server_stop (server);
  g_clear_object (&server);
  zh_test_tmpdir_free (server_dir);
  zh_test_tmpdir_free (home);
  g_free (server_url);
  return status;
}
