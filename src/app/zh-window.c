/* zh-window.c: the main window — the journal pages an account may see, the journal grid of the
 * chosen page and period, and its lessons.
 *
 * The window reads a ZhStore file (the demo school now; the account's offline copy once signing in
 * lands). Every read runs in a worker thread on a read-only store of the window's own, one read at
 * a time (STYLE.md "Async"); the main thread only shows what came back, so choosing a page never
 * blocks. The last page and period are kept in GSettings and shown again at the next start.
 */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "zh-grid.h"
#include "zh-grid-private.h"
#include "zh-history-panel.h"
#include "zh-journal-model.h"
#include "zh-lessons-page.h"
#include "zh-page-item.h"
#include "zh-reader.h"
#include "zh-session.h"
#include "zh-window-private.h"

/* The GSettings value of last-period for the whole year. */
#define PERIOD_YEAR "year"

struct _ZhWindow
{
  AdwApplicationWindow parent_instance;

  /* The template. */
  GtkToggleButton    *sidebar_button;
  GtkDropDown        *period_dropdown;
  AdwViewSwitcher    *view_switcher;
  GtkSpinner         *spinner;
  GtkStack           *main_stack;
  AdwStatusPage      *welcome;
  GtkSearchEntry     *search_entry;
  GtkListView        *pages_view;
  GtkLabel           *page_title;
  GtkLabel           *page_subtitle;
  AdwViewStack       *view_stack;
  ZhGrid             *grid;
  ZhLessonsPage      *lessons_page;
  AdwToastOverlay    *toast_overlay;
  AdwEntryRow        *server_entry;
  AdwEntryRow        *login_entry;
  AdwEntryRow        *password_entry;
  GtkLabel           *sign_in_error;
  GtkWidget          *sign_in_button;
  GtkPasswordEntry   *unlock_entry;
  GtkLabel           *unlock_error;
  GtkWidget          *status_box;
  GtkLabel           *status_label;
  GtkButton          *conflicts_button;
  ZhHistoryPanel     *history_panel;

  /* The signed-in account (zh-window-session.c). */
  ZhSession          *session;
  GCancellable       *sign_in_cancellable;
  GHashTable         *waiting;         /* "lesson/student" → ZhOutboxState + 1 */
  guint64             sync_rows;       /* changes the running sync brought */
  guint               status_timer;
  guint               idle_timer;
  gint64              last_input;      /* monotonic µs */
  gboolean            locked;
  char               *last_toast;      /* for the UI tests */
  GPtrArray          *undo_steps;      /* of UndoStep: entries typed here, oldest first */

  GSettings          *settings;        /* NULL when the schema is not installed */
  GCancellable       *cancellable;     /* the window's: cancelled in dispose */
  GCancellable       *load_cancellable;
  ZhReader             *reader;
  ZhJournalAccount   *account;
  GListStore         *pages;           /* of ZhPageItem */
  GtkCustomFilter    *filter;
  GtkSingleSelection *selection;
  char               *query;           /* case-folded search text */
  GHashTable         *matching_classes;
  GPtrArray          *periods;         /* of ZhJournalPeriod: the shown page's */
  char               *group_id;        /* the page chosen */
  char               *period_key;      /* its period: an id, PERIOD_YEAR, or NULL for the default */
  ZhJournalPage      *page;            /* the page shown */
  ZhJournalModel     *model;
  gboolean            updating_periods;
  guint               scroll_idle;
  gint64              last_load_usec;

  /* ZH_BENCH_STARTUP: print the time to the first frame of the grid, then quit. */
  gboolean            bench_startup;
  guint               bench_snapshots;
  gint64              bench_window;    /* when the window was made */
  gint64              bench_listed;    /* when the pages were listed */
  gint64              bench_shown;     /* when the page went to the grid */
};

G_DEFINE_FINAL_TYPE (ZhWindow, zh_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PAGE_SHOWN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void  load_page          (ZhWindow   *self,
                                const char *group_id,
                                const char *period_key);
static guint find_page_position (ZhWindow   *self,
                                 const char *group_id);
static void  refresh_cell_states (ZhWindow  *self);

/* ---- loading a page ------------------------------------------------------------------------ */

typedef struct
{
  ZhReader *reader;
  char   *group_id;
  char   *period_key;
  char    today[11];
} LoadData;

typedef struct
{
  GPtrArray     *periods;
  guint          chosen;
  ZhJournalPage *page;
  gint64         usec;
} LoadResult;

static void
load_data_free (LoadData *data)
{
  zh_reader_unref (data->reader);
  g_free (data->group_id);
  g_free (data->period_key);
  g_free (data);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->periods, g_ptr_array_unref);
  g_clear_pointer (&result->page, zh_journal_page_unref);
  g_free (result);
}

/* The period to show when none was asked for: the one under way today (or the last one begun, in
 * the holidays), the year once it is over, the first before it starts. The year is last. */
static guint
default_period (GPtrArray  *periods,
                const char *today)
{
  guint year = periods->len - 1;
  guint chosen = 0;

  if (strcmp (today, ((ZhJournalPeriod *) periods->pdata[year])->ends) > 0)
    return year;
  for (guint i = 0; i < year; i++)
    if (strcmp (((ZhJournalPeriod *) periods->pdata[i])->starts, today) <= 0)
      chosen = i;
  return chosen;
}

/* In a worker, with the reader's lock held: the periods of @group_id and its page in the period
 * @period_key (or the default one). */
static LoadResult *
load_in_store (ZhStore     *store,
               const char  *group_id,
               const char  *period_key,
               const char  *today,
               GError     **error)
{
  LoadResult *result = g_new0 (LoadResult, 1);
  gint64 start = g_get_monotonic_time ();
  const char *period_id;

  result->periods = zh_journal_list_periods (store, group_id, error);
  if (result->periods == NULL)
    {
      load_result_free (result);
      return NULL;
    }
  result->chosen = G_MAXUINT;
  for (guint i = 0; period_key != NULL && i < result->periods->len; i++)
    {
      ZhJournalPeriod *p = result->periods->pdata[i];

      if (g_strcmp0 (p->id != NULL ? p->id : PERIOD_YEAR, period_key) == 0)
        result->chosen = i;
    }
  if (result->chosen == G_MAXUINT)
    result->chosen = default_period (result->periods, today);
  period_id = ((ZhJournalPeriod *) result->periods->pdata[result->chosen])->id;
  result->page = zh_journal_page_load (store, group_id, period_id, error);
  if (result->page == NULL)
    {
      load_result_free (result);
      return NULL;
    }
  result->usec = g_get_monotonic_time () - start;
  return result;
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) error = NULL;
  LoadResult *result = NULL;
  ZhStore *store;

  g_mutex_lock (&data->reader->lock);
  store = zh_reader_get_store (data->reader, &error);
  if (store != NULL)
    {
      zh_store_set_cancellable (store, cancellable);
      result = load_in_store (store, data->group_id, data->period_key, data->today, &error);
      zh_store_set_cancellable (store, NULL);
    }
  g_mutex_unlock (&data->reader->lock);

  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static const char *
period_key_of (const ZhJournalPeriod *period)
{
  return period->id != NULL ? period->id : PERIOD_YEAR;
}

static void
update_periods (ZhWindow  *self,
                GPtrArray *periods,
                guint      chosen)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

  g_clear_pointer (&self->periods, g_ptr_array_unref);
  self->periods = g_ptr_array_ref (periods);
  for (guint i = 0; i < periods->len; i++)
    gtk_string_list_append (labels, ((ZhJournalPeriod *) periods->pdata[i])->label);
  self->updating_periods = TRUE;
  gtk_drop_down_set_model (self->period_dropdown, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (self->period_dropdown, chosen);
  self->updating_periods = FALSE;
}

static void
bench_after_paint_cb (GdkFrameClock *clock,
                      ZhWindow      *self)
{
  ZhGridStats stats;
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;
  GApplication *app;
  gint64 start;

  _zh_grid_get_stats (self->grid, &stats);
  if (!self->bench_startup || stats.n_snapshots <= self->bench_snapshots)
    return;
  self->bench_startup = FALSE;
  app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  start = zh_application_get_start_time (ZH_APPLICATION (app));
  printf ("startup-ms %.1f\n", (g_get_monotonic_time () - start) / 1000.0);
  printf ("page-load-ms %.1f\n", self->last_load_usec / 1000.0);
  printf ("window-ms %.1f\n", (self->bench_window - start) / 1000.0);
  printf ("pages-listed-ms %.1f\n", (self->bench_listed - start) / 1000.0);
  printf ("page-shown-ms %.1f\n", (self->bench_shown - start) / 1000.0);
  lines = g_strsplit (status != NULL ? status : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "VmRSS:") || g_str_has_prefix (lines[i], "VmHWM:"))
      printf ("%s\n", lines[i]);
  fflush (stdout);
  g_application_quit (app);
}

static gboolean
scroll_to_selected_cb (gpointer user_data)
{
  ZhWindow *self = user_data;
  guint position = gtk_single_selection_get_selected (self->selection);

  self->scroll_idle = 0;
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->pages_view), "list.scroll-to-item", "u",
                                position);
  return G_SOURCE_REMOVE;
}

/* A page read again (after an edit, or a sync that brought changes) keeps the cursor on the same
 * student and lesson, so typing down a column goes on where it was. */
static void
keep_cursor (ZhWindow      *self,
             ZhJournalPage *old,
             guint          row,
             guint          column)
{
  ZhJournalPage *page = self->page;
  guint new_row = G_MAXUINT, new_column = G_MAXUINT;

  if (!g_str_equal (old->info.group_id, page->info.group_id) ||
      g_strcmp0 (old->period.id, page->period.id) != 0 || row >= old->n_rows)
    return;
  for (guint r = 0; r < page->n_rows && new_row == G_MAXUINT; r++)
    if (g_str_equal (page->rows[r].student_id, old->rows[row].student_id))
      new_row = r;
  if (column >= old->n_lessons)
    new_column = column - old->n_lessons + page->n_lessons;
  for (guint c = 0; c < page->n_lessons && new_column == G_MAXUINT; c++)
    if (g_str_equal (page->lessons[c].id, old->lessons[column].id))
      new_column = c;
  if (new_row != G_MAXUINT && new_column != G_MAXUINT)
    zh_grid_set_cursor (self->grid, new_row, new_column);
}

static void
show_page (ZhWindow      *self,
           ZhJournalPage *page)
{
  const ZhJournalPageInfo *info = &page->info;
  g_autofree char *subtitle = NULL;
  g_autoptr(ZhJournalPage) old = g_steal_pointer (&self->page);
  guint position, cursor_row = 0, cursor_column = 0;
  gboolean had_cursor = old != NULL && zh_grid_get_cursor (self->grid, &cursor_row,
                                                           &cursor_column);

  self->page = zh_journal_page_ref (page);
  g_clear_object (&self->model);
  self->model = zh_journal_model_new (page);
  if (self->session != NULL)
    refresh_cell_states (self);
  if (self->bench_startup)
    {
      ZhGridStats stats;

      _zh_grid_get_stats (self->grid, &stats);
      self->bench_snapshots = stats.n_snapshots;
      self->bench_shown = g_get_monotonic_time ();
      g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                               G_CALLBACK (bench_after_paint_cb), self, G_CONNECT_DEFAULT);
    }
  zh_grid_set_model (self->grid, ZH_GRID_MODEL (self->model));
  if (had_cursor)
    keep_cursor (self, old, cursor_row, cursor_column);
  zh_lessons_page_set_page (self->lessons_page, page);

  position = find_page_position (self, info->group_id);
  if (position != GTK_INVALID_LIST_POSITION)
    {
      if (gtk_single_selection_get_selected (self->selection) != position)
        gtk_single_selection_set_selected (self->selection, position);
      /* Scrolling a long list far down lays its rows out anew, which cost the deputy's first
       * frame (1,896 pages at scale 3) over 100 ms: the grid comes first, the list follows. */
      if (self->scroll_idle == 0)
        self->scroll_idle = g_idle_add_full (G_PRIORITY_LOW, scroll_to_selected_cb, self, NULL);
    }

  gtk_label_set_label (self->page_title, info->label);
  if (info->teacher_name[0] != '\0')
    /* Translators: under a page's title: teacher, period, academic year */
    subtitle = g_strdup_printf (_("%s · %s, %s"), info->teacher_name, page->period.label,
                                page->year_name);
  else
    subtitle = g_strdup_printf ("%s, %s", page->period.label, page->year_name);
  gtk_label_set_label (self->page_subtitle, subtitle);
  gtk_widget_remove_css_class (GTK_WIDGET (self->page_subtitle), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  info->label, -1);

  if (self->settings != NULL)
    {
      g_settings_set_string (self->settings, "last-group", info->group_id);
      g_settings_set_string (self->settings, "last-period", self->period_key);
    }
  g_signal_emit (self, signals[PAGE_SHOWN], 0);
}

static void
show_loaded (ZhWindow   *self,
             LoadResult *result)
{
  self->last_load_usec = result->usec;
  g_free (self->group_id);
  self->group_id = g_strdup (result->page->info.group_id);
  g_free (self->period_key);
  self->period_key = g_strdup (period_key_of (result->periods->pdata[result->chosen]));
  update_periods (self, result->periods, result->chosen);
  show_page (self, result->page);
}

static void
load_ready_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  ZhWindow *self = ZH_WINDOW (source);
  g_autoptr(GError) error = NULL;
  LoadResult *result = g_task_propagate_pointer (G_TASK (res), &error);

  /* A later choice replaced this one. */
  if (g_task_get_cancellable (G_TASK (res)) != self->load_cancellable)
    {
      g_clear_pointer (&result, load_result_free);
      return;
    }
  gtk_spinner_stop (self->spinner);
  if (result == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, ZH_STORE_ERROR, ZH_STORE_ERROR_CANCELLED))
        return;
      g_warning ("%s", error->message);
      gtk_label_set_label (self->page_title, _("The page cannot be shown"));
      gtk_label_set_label (self->page_subtitle, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->page_subtitle), "error");
      return;
    }
  show_loaded (self, result);
  load_result_free (result);
}

static void
load_page (ZhWindow   *self,
           const char *group_id,
           const char *period_key)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  LoadData *data;

  g_return_if_fail (self->reader != NULL);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  if (group_id != self->group_id)
    {
      g_free (self->group_id);
      self->group_id = g_strdup (group_id);
    }
  if (period_key != self->period_key)
    {
      g_free (self->period_key);
      self->period_key = g_strdup (period_key);
    }

  data = g_new0 (LoadData, 1);
  data->reader = g_atomic_rc_box_acquire (self->reader);
  data->group_id = g_strdup (group_id);
  data->period_key = g_strdup (period_key);
  g_strlcpy (data->today, today, sizeof data->today);

  gtk_spinner_start (self->spinner);
  task = g_task_new (self, self->load_cancellable, load_ready_cb, NULL);
  g_task_set_source_tag (task, load_page);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

static void
period_selected_cb (ZhWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->period_dropdown);

  if (self->updating_periods || self->periods == NULL || selected >= self->periods->len ||
      self->group_id == NULL)
    return;
  load_page (self, self->group_id, period_key_of (self->periods->pdata[selected]));
}

/* ---- the pages ----------------------------------------------------------------------------- */

static void
page_selected_cb (ZhWindow *self)
{
  ZhPageItem *item = gtk_single_selection_get_selected_item (self->selection);
  const ZhJournalPageInfo *info;

  if (item == NULL || zh_page_item_is_header (item))
    return;
  info = zh_page_item_get_info (item);
  if (g_strcmp0 (info->group_id, self->group_id) == 0 && self->page != NULL &&
      g_str_equal (self->page->info.group_id, info->group_id))
    return;
  load_page (self, info->group_id, self->period_key);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  ZhWindow *self = user_data;
  ZhPageItem *page = item;

  if (self->query == NULL || self->query[0] == '\0')
    return TRUE;
  if (zh_page_item_is_header (page))
    return g_hash_table_contains (self->matching_classes, zh_page_item_get_class_id (page));
  return zh_page_item_matches (page, self->query);
}

static void
search_changed_cb (ZhWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pages));

  g_free (self->query);
  self->query = g_utf8_casefold (text, -1);
  /* A class caption stays while any of its pages is found. */
  g_hash_table_remove_all (self->matching_classes);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZhPageItem) item = g_list_model_get_item (G_LIST_MODEL (self->pages), i);

      if (!zh_page_item_is_header (item) && zh_page_item_matches (item, self->query))
        g_hash_table_add (self->matching_classes, g_strdup (zh_page_item_get_class_id (item)));
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  /* The page shown stays selected whenever the search lets it be seen. */
  if (self->group_id != NULL && gtk_single_selection_get_selected (self->selection) ==
                                GTK_INVALID_LIST_POSITION)
    {
      guint position = find_page_position (self, self->group_id);

      if (position != GTK_INVALID_LIST_POSITION)
        gtk_single_selection_set_selected (self->selection, position);
    }
}

static void
stop_search_cb (ZhWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->grid));
}

static void
page_row_setup_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  /* «Иностранный язык (английский), 1 подгруппа» takes two lines rather than losing its
   * subgroup to an ellipsis. */
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (title), 2);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), subtitle);
  gtk_list_item_set_child (list_item, box);
}

static void
page_row_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  ZhPageItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *title = gtk_widget_get_first_child (box);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  gboolean header = zh_page_item_is_header (item);

  gtk_label_set_label (GTK_LABEL (title), zh_page_item_get_title (item));
  gtk_label_set_label (GTK_LABEL (subtitle), zh_page_item_get_subtitle (item));
  gtk_widget_set_visible (subtitle, !header && zh_page_item_get_subtitle (item)[0] != '\0');
  if (header)
    gtk_widget_add_css_class (title, "zh-class-caption");
  else
    gtk_widget_remove_css_class (title, "zh-class-caption");
  gtk_list_item_set_selectable (list_item, !header);
  gtk_list_item_set_activatable (list_item, !header);
}

/* The position of @group_id in the sidebar as filtered now, or GTK_INVALID_LIST_POSITION. */
static guint
find_page_position (ZhWindow   *self,
                    const char *group_id)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZhPageItem) item = g_list_model_get_item (model, i);

      if (!zh_page_item_is_header (item) &&
          g_str_equal (zh_page_item_get_info (item)->group_id, group_id))
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

/* Moves the selection @delta pages on, skipping class captions; FALSE at either end. */
static gboolean
step_page (ZhWindow *self,
           int       delta)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);
  guint selected = gtk_single_selection_get_selected (self->selection);
  int i = selected == GTK_INVALID_LIST_POSITION ? (delta > 0 ? -1 : (int) n) : (int) selected;

  for (i += delta; i >= 0 && i < (int) n; i += delta)
    {
      g_autoptr(ZhPageItem) item = g_list_model_get_item (model, i);

      if (!zh_page_item_is_header (item))
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->pages_view), "list.scroll-to-item", "u", i);
          return TRUE;
        }
    }
  return FALSE;
}

typedef struct
{
  ZhReader *reader;
  char   *login;
  char   *last_group;   /* the page to show first, if the account has it */
  char   *last_period;
  char    today[11];
} OpenData;

typedef struct
{
  ZhJournalAccount *account;
  GPtrArray        *pages;
  LoadResult       *first;  /* the last page shown, read in the same trip; or NULL */
} OpenResult;

static void
open_data_free (OpenData *data)
{
  zh_reader_unref (data->reader);
  g_free (data->login);
  g_free (data->last_group);
  g_free (data->last_period);
  g_free (data);
}

static void
open_result_free (OpenResult *result)
{
  g_clear_pointer (&result->account, zh_journal_account_free);
  g_clear_pointer (&result->pages, g_ptr_array_unref);
  g_clear_pointer (&result->first, load_result_free);
  g_free (result);
}

static void
open_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  g_autoptr(GError) error = NULL;
  OpenResult *result = g_new0 (OpenResult, 1);
  ZhStore *store;

  g_mutex_lock (&data->reader->lock);
  store = zh_reader_get_store (data->reader, &error);
  if (store != NULL)
    result->account = zh_journal_find_account (store, data->login, &error);
  if (result->account != NULL)
    result->pages = zh_journal_list_pages (store, result->account->staff_id, result->account->roles,
                                           NULL, &error);
  /* The page shown last comes in the same trip, so the window starts with it at once. A failure
   * here only means starting on the list. */
  for (guint i = 0; result->pages != NULL && data->last_group != NULL && i < result->pages->len; i++)
    if (g_str_equal (((ZhJournalPageInfo *) result->pages->pdata[i])->group_id, data->last_group))
      {
        result->first = load_in_store (store, data->last_group, data->last_period, data->today,
                                       NULL);
        break;
      }
  g_mutex_unlock (&data->reader->lock);

  if (result->pages == NULL)
    {
      open_result_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) open_result_free);
}

static void
show_open_error (ZhWindow   *self,
                 const char *message)
{
  adw_status_page_set_icon_name (self->welcome, "dialog-error-symbolic");
  adw_status_page_set_title (self->welcome, _("The journal cannot be opened"));
  adw_status_page_set_description (self->welcome, message);
  gtk_stack_set_visible_child_name (self->main_stack, "welcome");
}

static void
open_ready_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  ZhWindow *self = ZH_WINDOW (source);
  g_autoptr(GError) error = NULL;
  OpenResult *result = g_task_propagate_pointer (G_TASK (res), &error);
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *last_group = NULL;
  g_autofree char *last_period = NULL;
  gboolean grouped;
  const char *class_id = NULL;
  guint position;

  if (result == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* A copy not synced yet: the first sync fills it and the window opens it then. */
      if (self->session != NULL && zh_sync_get_last_sync (zh_session_get_sync (self->session)) == 0)
        {
          adw_status_page_set_icon_name (self->welcome, "folder-download-symbolic");
          adw_status_page_set_title (self->welcome, _("Copying the Journal"));
          adw_status_page_set_description (self->welcome,
                                           _("The journal is copied to this computer in the "
                                             "background; it opens as soon as the copy is made."));
          gtk_stack_set_visible_child_name (self->main_stack, "welcome");
          return;
        }
      show_open_error (self, error->message);
      return;
    }

  self->bench_listed = g_get_monotonic_time ();
  /* A reopen (a sync ended before the first open did) replaces the account read before. */
  g_clear_pointer (&self->account, zh_journal_account_free);
  self->account = g_steal_pointer (&result->account);
  /* Those who review the whole school see the pages under their classes (issue 6 §2). */
  grouped = (self->account->roles & (ZH_ROLE_ADMIN | ZH_ROLE_DEPUTY | ZH_ROLE_DIRECTOR)) != 0;
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < result->pages->len; i++)
    {
      const ZhJournalPageInfo *info = result->pages->pdata[i];

      if (grouped && g_strcmp0 (class_id, info->class_id) != 0)
        g_ptr_array_add (items, zh_page_item_new_header (info->class_id, info->class_name));
      class_id = info->class_id;
      g_ptr_array_add (items, zh_page_item_new_page (info, grouped));
    }
  g_list_store_splice (self->pages, 0, g_list_model_get_n_items (G_LIST_MODEL (self->pages)),
                       items->pdata, items->len);

  gtk_window_set_title (GTK_WINDOW (self), _("Journal"));
  if (!self->locked)
    gtk_stack_set_visible_child_name (self->main_stack, "journal");
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->period_dropdown), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->view_switcher), TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-page", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-page", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-journal", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-lessons", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.focus-search", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-sidebar", TRUE);

  if (items->len == 0)
    {
      open_result_free (result);
      gtk_label_set_label (self->page_title, _("No journal pages"));
      gtk_label_set_label (self->page_subtitle,
                           _("This account has no groups in the current academic year."));
      return;
    }

  /* The last page and period shown, when the account still has that page: read already, or
   * read now. */
  if (result->first != NULL)
    {
      show_loaded (self, result->first);
      open_result_free (result);
      return;
    }
  open_result_free (result);
  if (self->settings != NULL)
    {
      last_group = g_settings_get_string (self->settings, "last-group");
      last_period = g_settings_get_string (self->settings, "last-period");
    }
  position = last_group != NULL && last_group[0] != '\0' ? find_page_position (self, last_group)
                                                         : GTK_INVALID_LIST_POSITION;
  if (position != GTK_INVALID_LIST_POSITION)
    {
      g_free (self->period_key);
      self->period_key = last_period[0] != '\0' ? g_strdup (last_period) : NULL;
      gtk_single_selection_set_selected (self->selection, position);
      gtk_widget_activate_action (GTK_WIDGET (self->pages_view), "list.scroll-to-item", "u",
                                  position);
    }
  else
    step_page (self, 1);
}

/**
 * zh_window_open:
 * @database: a Zhurnal database: the demo school, or (once signing in lands) the account's
 *   offline copy
 * @login: whose pages to show
 *
 * Shows the journal pages @login may see in @database, and the page shown last. Reading happens
 * in a worker thread; an error replaces the welcome page's text.
 */
void
zh_window_open (ZhWindow   *self,
                const char *database,
                const char *login)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  OpenData *data;

  g_return_if_fail (ZH_IS_WINDOW (self));
  g_return_if_fail (database != NULL && login != NULL);
  g_return_if_fail (self->reader == NULL);

  self->reader = zh_reader_new (database);
  data = g_new0 (OpenData, 1);
  data->reader = g_atomic_rc_box_acquire (self->reader);
  data->login = g_strdup (login);
  g_strlcpy (data->today, today, sizeof data->today);
  if (self->settings != NULL)
    {
      data->last_group = g_settings_get_string (self->settings, "last-group");
      data->last_period = g_settings_get_string (self->settings, "last-period");
      if (data->last_group[0] == '\0')
        g_clear_pointer (&data->last_group, g_free);
      if (data->last_period[0] == '\0')
        g_clear_pointer (&data->last_period, g_free);
    }
  task = g_task_new (self, self->cancellable, open_ready_cb, NULL);
  g_task_set_source_tag (task, zh_window_open);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

/* zh_window_select_page: shows the page of @group_id in the period @period_key (a period's id,
 * "year", or NULL for the period under way); FALSE when the account has no such page. */
gboolean
zh_window_select_page (ZhWindow   *self,
                       const char *group_id,
                       const char *period_key)
{
  guint position;

  g_return_val_if_fail (ZH_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (group_id != NULL, FALSE);

  position = find_page_position (self, group_id);
  if (position == GTK_INVALID_LIST_POSITION && self->query != NULL && self->query[0] != '\0')
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      search_changed_cb (self);
      position = find_page_position (self, group_id);
    }
  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;
  g_free (self->period_key);
  self->period_key = g_strdup (period_key);
  if (gtk_single_selection_get_selected (self->selection) == position)
    load_page (self, group_id, period_key);
  else
    gtk_single_selection_set_selected (self->selection, position);
  return TRUE;
}

/* ---- the signed-in account ------------------------------------------------------------------ */

static void reopen (ZhWindow *self);

/* The work type a mark typed into a lesson gets: the lesson's own kind of work, or an answer in
 * class (docs/journal.md "Entry"). */
static const char *
work_type_for_lesson (ZhLessonKind kind)
{
  switch (kind)
    {
    case ZH_LESSON_KIND_TEST:
      return "test";
    case ZH_LESSON_KIND_LAB:
      return "lab";
    case ZH_LESSON_KIND_PRACTICAL:
      return "practical";
    case ZH_LESSON_KIND_ESSAY:
      return "essay";
    case ZH_LESSON_KIND_EXPOSITION:
      return "exposition";
    case ZH_LESSON_KIND_DICTATION:
      return "dictation";
    case ZH_LESSON_KIND_QUIZ:
      return "quiz";
    case ZH_LESSON_KIND_LESSON:
    case ZH_LESSON_KIND_EXCURSION:
    default:
      return "answer";
    }
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);

  return g_date_time_format (time, "%H:%M");
}

static void
update_status (ZhWindow *self)
{
  ZhSync *sync;
  g_autoptr(GString) text = g_string_new (NULL);
  guint waiting, conflicts;

  if (self->session == NULL)
    {
      gtk_widget_set_visible (self->status_box, FALSE);
      return;
    }
  sync = zh_session_get_sync (self->session);
  waiting = zh_sync_get_n_waiting (sync);
  conflicts = zh_sync_get_n_conflicts (sync);
  if (!zh_sync_get_online (sync) && zh_sync_get_offline_since (sync) > 0)
    {
      g_autofree char *since = format_time (zh_sync_get_offline_since (sync));

      /* Translators: the header bar's status: the service's address, a time (HH:MM) */
      g_string_append_printf (text, _("No connection to %s since %s"),
                              zh_account_get_server_url (zh_session_get_account (self->session)),
                              since);
    }
  else if (zh_sync_get_syncing (sync) && zh_sync_get_last_sync (sync) == 0)
    g_string_append (text, _("Copying the journal to this computer…"));
  else if (zh_sync_get_syncing (sync))
    g_string_append (text, _("Syncing…"));
  else if (zh_sync_get_last_sync (sync) > 0)
    {
      g_autofree char *at = format_time (zh_sync_get_last_sync (sync));

      /* Translators: the header bar's status, a time (HH:MM) */
      g_string_append_printf (text, _("Synced at %s"), at);
    }
  else
    g_string_append (text, _("Online"));
  if (waiting > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, ngettext ("%u change waiting to be sent",
                                              "%u changes waiting to be sent", waiting), waiting);
    }
  gtk_label_set_label (self->status_label, text->str);
  if (conflicts > 0)
    {
      g_autofree char *label = g_strdup_printf (ngettext ("%u conflict", "%u conflicts",
                                                          conflicts), conflicts);

      gtk_button_set_label (self->conflicts_button, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->conflicts_button), conflicts > 0);
  gtk_widget_set_visible (self->status_box, TRUE);
}

static ZhGridCellFlags
cell_state_func (const char *student_id,
                 const char *lesson_id,
                 gpointer    user_data)
{
  ZhWindow *self = user_data;
  g_autofree char *key = NULL;
  guint state;

  if (self->waiting == NULL)
    return ZH_GRID_CELL_SYNCED;
  key = g_strconcat (lesson_id, "/", student_id, NULL);
  state = GPOINTER_TO_UINT (g_hash_table_lookup (self->waiting, key));
  switch (state)
    {
    case ZH_OUTBOX_PENDING + 1:
      return ZH_GRID_CELL_WAITING;
    case ZH_OUTBOX_REJECTED + 1:
      return ZH_GRID_CELL_REJECTED;
    case ZH_OUTBOX_CONFLICT + 1:
      return ZH_GRID_CELL_CONFLICT;
    default:
      return ZH_GRID_CELL_SYNCED;
    }
}

/* Reads the outbox's cells again and redraws the lesson cells. */
static void
refresh_cell_states (ZhWindow *self)
{
  g_autoptr(GError) error = NULL;
  GHashTable *waiting;

  if (self->session == NULL || self->model == NULL)
    return;
  waiting = zh_session_list_waiting (self->session, &error);
  if (waiting == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }
  g_clear_pointer (&self->waiting, g_hash_table_unref);
  self->waiting = waiting;
  zh_journal_model_set_state_func (self->model, cell_state_func, self, NULL);
}

static void
sync_notify_cb (ZhWindow *self)
{
  update_status (self);
}

static void
sync_counts_cb (ZhWindow *self)
{
  update_status (self);
  refresh_cell_states (self);
}

static void
sync_progress_cb (ZhSync   *sync,
                  guint64   rows,
                  gint64    cursor,
                  ZhWindow *self)
{
  self->sync_rows = rows;
}

/* A sync that brought changes shows them: the list of pages and the page read again. */
static void
sync_syncing_cb (ZhWindow *self)
{
  ZhSync *sync = zh_session_get_sync (self->session);

  update_status (self);
  if (zh_sync_get_syncing (sync))
    {
      self->sync_rows = 0;
      return;
    }
  refresh_cell_states (self);
  if (self->sync_rows > 0 || self->account == NULL)
    reopen (self);
}

static void
show_toast (ZhWindow   *self,
            const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Clears what the window shows of an account, for another sign-in. */
static void
close_journal (ZhWindow *self)
{
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_pointer (&self->reader, zh_reader_unref);
  g_clear_pointer (&self->account, zh_journal_account_free);
  g_list_store_remove_all (self->pages);
  zh_lessons_page_set_page (self->lessons_page, NULL);
  g_clear_pointer (&self->page, zh_journal_page_unref);
  zh_grid_set_model (self->grid, NULL);
  g_clear_object (&self->model);
  g_clear_pointer (&self->group_id, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->period_dropdown), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->view_switcher), FALSE);
}

static void
reopen (ZhWindow *self)
{
  g_autofree char *group_id = g_strdup (self->group_id);

  if (self->session == NULL)
    return;
  g_clear_pointer (&self->reader, zh_reader_unref);
  if (self->settings != NULL && group_id != NULL)
    g_settings_set_string (self->settings, "last-group", group_id);
  zh_window_open (self, zh_session_get_offline_path (self->session),
                  zh_session_get_login (self->session));
}

static void
stop_session (ZhWindow *self)
{
  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (zh_session_get_sync (self->session), self);
  zh_lessons_page_set_session (self->lessons_page, NULL);
  g_clear_object (&self->session);
  g_clear_pointer (&self->waiting, g_hash_table_unref);
  g_clear_handle_id (&self->idle_timer, g_source_remove);
  update_status (self);
}

/* Shows the sign-in form, with @error under it when not NULL. */
static void
show_sign_in (ZhWindow   *self,
              const char *error)
{
  const char *url = g_getenv ("ZH_SERVER_URL");

  if (gtk_editable_get_text (GTK_EDITABLE (self->server_entry))[0] == '\0')
    {
      g_autoptr(ZhAccount) current = zh_account_new_current (NULL);

      if (url == NULL && current != NULL)
        url = zh_account_get_server_url (current);
      gtk_editable_set_text (GTK_EDITABLE (self->server_entry), url != NULL ? url : "");
      if (current != NULL && gtk_editable_get_text (GTK_EDITABLE (self->login_entry))[0] == '\0')
        gtk_editable_set_text (GTK_EDITABLE (self->login_entry), zh_account_get_login (current));
    }
  gtk_label_set_label (self->sign_in_error, error != NULL ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_error), error != NULL);
  gtk_widget_set_sensitive (self->sign_in_button, TRUE);
  gtk_stack_set_visible_child_name (self->main_stack, "signin");
}

static gboolean idle_check_cb (gpointer user_data);

static void
session_opened (ZhWindow  *self,
                ZhSession *session)
{
  ZhSync *sync = zh_session_get_sync (session);

  stop_session (self);
  close_journal (self);
  self->session = g_object_ref (session);
  zh_lessons_page_set_session (self->lessons_page, session);
  g_signal_connect_swapped (sync, "notify::online", G_CALLBACK (sync_notify_cb), self);
  g_signal_connect_swapped (sync, "notify::offline-since", G_CALLBACK (sync_notify_cb), self);
  g_signal_connect_swapped (sync, "notify::last-sync", G_CALLBACK (sync_notify_cb), self);
  g_signal_connect_swapped (sync, "notify::n-waiting", G_CALLBACK (sync_counts_cb), self);
  g_signal_connect_swapped (sync, "notify::n-rejected", G_CALLBACK (sync_counts_cb), self);
  g_signal_connect_swapped (sync, "notify::n-conflicts", G_CALLBACK (sync_counts_cb), self);
  g_signal_connect_swapped (sync, "notify::syncing", G_CALLBACK (sync_syncing_cb), self);
  g_signal_connect (sync, "progress", G_CALLBACK (sync_progress_cb), self);
  /* Tests: a short schedule; the value is the debounce after an edit in ms (so a test can see
   * an edit wait before it is sent). */
  if (g_getenv ("ZH_TEST_SYNC_SCHEDULE") != NULL)
    zh_sync_set_schedule (sync, CLAMP (g_ascii_strtoull (g_getenv ("ZH_TEST_SYNC_SCHEDULE"), NULL,
                                                         10), 100, 5000),
                          60 * 1000, 200, 400);
  zh_sync_start (sync);
  self->last_input = g_get_monotonic_time ();
  self->idle_timer = g_timeout_add_seconds (10, idle_check_cb, self);
  update_status (self);
  /* The copy at once; the first sync fills it in the background. */
  zh_window_open (self, zh_session_get_offline_path (session), zh_session_get_login (session));
}

static void
sign_in_ready_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  ZhWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhSession) session = zh_session_open_finish (res, &error);

  g_clear_object (&self->sign_in_cancellable);
  if (session == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_sign_in (self, error->message);
      g_object_unref (self);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
  session_opened (self, session);
  if (zh_session_get_signed_in_offline (session))
    show_toast (self, _("The service cannot be reached: signed in with the session kept on this "
                        "computer. Edits wait here until the service is back."));
  g_object_unref (self);
}

/* zh_window_sign_in: signs @login in at @server_url and opens the account's offline copy (offline
 * with the kept session when the service cannot be reached); errors show on the sign-in form. */
void
zh_window_sign_in (ZhWindow   *self,
                   const char *server_url,
                   const char *login,
                   const char *password)
{
  g_return_if_fail (ZH_IS_WINDOW (self));

  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  self->sign_in_cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (self->sign_in_button, FALSE);
  zh_session_sign_in_async (server_url, login, password, self->sign_in_cancellable,
                            sign_in_ready_cb, g_object_ref (self));
}

static void
open_current_ready_cb (GObject      *source,
                       GAsyncResult *res,
                       gpointer      user_data)
{
  ZhWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhSession) session = zh_session_open_finish (res, &error);

  if (session != NULL)
    session_opened (self, session);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_sign_in (self, NULL);
  g_object_unref (self);
}

/* zh_window_start: opens the account kept from last time with its kept session (offline-first), or
 * shows the sign-in form. */
void
zh_window_start (ZhWindow *self)
{
  g_return_if_fail (ZH_IS_WINDOW (self));

  show_sign_in (self, NULL);
  zh_session_open_current_async (self->cancellable, open_current_ready_cb, g_object_ref (self));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_entry));
  const char *login = gtk_editable_get_text (GTK_EDITABLE (self->login_entry));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_entry));

  if (server[0] == '\0' || login[0] == '\0' || password[0] == '\0')
    {
      show_sign_in (self, _("Fill in the service address, the login and the password."));
      return;
    }
  zh_window_sign_in (self, server, login, password);
}

static void
sign_in_entry_activated_cb (ZhWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.sign-in", NULL);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);

  if (self->session != NULL)
    zh_session_sign_out (self->session);
  stop_session (self);
  close_journal (self);
  self->locked = FALSE;
  show_sign_in (self, NULL);
}

/* ---- the idle lock -------------------------------------------------------------------------- */

static void
lock_now (ZhWindow *self)
{
  self->locked = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->unlock_entry), "");
  gtk_widget_set_visible (GTK_WIDGET (self->unlock_error), FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "locked");
  gtk_widget_grab_focus (GTK_WIDGET (self->unlock_entry));
}

static gboolean
idle_check_cb (gpointer user_data)
{
  ZhWindow *self = user_data;
  guint minutes = self->settings != NULL
                  ? g_settings_get_uint (self->settings, "idle-lock-minutes") : 0;

  if (!self->locked && minutes > 0 &&
      g_get_monotonic_time () - self->last_input > (gint64) minutes * 60 * G_USEC_PER_SEC)
    lock_now (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
input_cb (GtkEventControllerKey *controller,
          guint                  keyval,
          guint                  keycode,
          GdkModifierType        state,
          ZhWindow              *self)
{
  self->last_input = g_get_monotonic_time ();
  return FALSE;
}

static void
pointer_cb (ZhWindow *self)
{
  self->last_input = g_get_monotonic_time ();
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->unlock_entry));

  if (self->session == NULL || !zh_session_check_password (self->session, password))
    {
      gtk_label_set_label (self->unlock_error,
                           _("Wrong password. Enter the password of this session, or sign out."));
      gtk_widget_set_visible (GTK_WIDGET (self->unlock_error), TRUE);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->unlock_entry), "");
  self->locked = FALSE;
  self->last_input = g_get_monotonic_time ();
  gtk_stack_set_visible_child_name (self->main_stack, self->account != NULL ? "journal"
                                                                            : "welcome");
}

static void
unlock_activated_cb (ZhWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.unlock", NULL);
}

/* ---- keyboard entry ------------------------------------------------------------------------- */

/* An entry typed in this window that its author may take back: a mark (within the school's undo
 * grace, 002 §5.2), an absence typed on an empty cell, or the reason typed on an absence (by the
 * rules of typing it, 002 §5.3, 000 §4.3.3). */
typedef struct
{
  ZhSessionEdit     edit;     /* ZH_SESSION_EDIT_MARK, _ABSENCE or _ABSENCE_REASON */
  char             *lesson_id;
  char             *student_id;
  char             *mark_id;  /* a mark's */
  ZhAttendanceCode  reason;   /* a reason's: the one typed */
  ZhAttendanceCode  previous; /* a reason's: the code the absence had before */
  gint64            at;       /* when it was saved, seconds since the epoch */
} UndoStep;

static void
undo_step_free (UndoStep *step)
{
  g_free (step->lesson_id);
  g_free (step->student_id);
  g_free (step->mark_id);
  g_free (step);
}

/* An edit on its way to the copy. */
typedef struct
{
  ZhWindow      *self;
  ZhSessionEdit  edit;
  char          *lesson_id;
  char          *student_id;
  char          *mark_id;     /* DELETE_MARK: the mark taken back */
  ZhAttendanceCode reason;    /* ABSENCE_REASON: the reason typed */
  ZhAttendanceCode previous;  /* ABSENCE_REASON: the code the absence had before */
  gboolean       undoable;    /* once saved, it joins the window's undo steps */
} EditContext;

static void
edit_context_free (EditContext *ctx)
{
  g_object_unref (ctx->self);
  g_free (ctx->lesson_id);
  g_free (ctx->student_id);
  g_free (ctx->mark_id);
  g_free (ctx);
}

/* Drops the undo steps of what @ctx took back: a cleared absence takes its reasons with it. */
static void
forget_undo_steps (ZhWindow    *self,
                   EditContext *ctx)
{
  for (guint i = self->undo_steps->len; i-- > 0;)
    {
      UndoStep *step = self->undo_steps->pdata[i];

      if (ctx->edit == ZH_SESSION_EDIT_DELETE_MARK ? g_strcmp0 (step->mark_id, ctx->mark_id) == 0
          : (step->edit == ZH_SESSION_EDIT_ABSENCE ||
             step->edit == ZH_SESSION_EDIT_ABSENCE_REASON) &&
            g_str_equal (step->lesson_id, ctx->lesson_id) &&
            g_str_equal (step->student_id, ctx->student_id))
        g_ptr_array_remove_index (self->undo_steps, i);
    }
}

static void
edit_ready_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  EditContext *ctx = user_data;
  ZhWindow *self = ctx->self;
  g_autoptr(GError) error = NULL;

  if (!zh_session_edit_finish (ZH_SESSION (source), res, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
      edit_context_free (ctx);
      return;
    }
  if (ctx->undoable)
    {
      UndoStep *step = g_new0 (UndoStep, 1);

      step->edit = ctx->edit;
      step->lesson_id = g_strdup (ctx->lesson_id);
      step->student_id = g_strdup (ctx->student_id);
      step->mark_id = zh_session_edit_dup_mark_id (res);
      step->reason = ctx->reason;
      step->previous = ctx->previous;
      step->at = g_get_real_time () / G_USEC_PER_SEC;
      g_ptr_array_add (self->undo_steps, step);
    }
  else if (ctx->edit == ZH_SESSION_EDIT_DELETE_MARK || ctx->edit == ZH_SESSION_EDIT_CLEAR_ABSENCE)
    forget_undo_steps (self, ctx);
  /* The page read again from the copy shows the edit; the outbox gives its state. */
  if (self->group_id != NULL && self->reader != NULL)
    load_page (self, self->group_id, self->period_key);
  edit_context_free (ctx);
}

/* An edit of @student_id in @lesson_id about to go to the copy; @undoable: it joins the steps. */
static EditContext *
edit_context_new (ZhWindow      *self,
                  ZhSessionEdit  edit,
                  const char    *lesson_id,
                  const char    *student_id,
                  gboolean       undoable)
{
  EditContext *ctx = g_new0 (EditContext, 1);

  ctx->self = g_object_ref (self);
  ctx->edit = edit;
  ctx->lesson_id = g_strdup (lesson_id);
  ctx->student_id = g_strdup (student_id);
  ctx->undoable = undoable;
  return ctx;
}

static void
start_edit (ZhWindow      *self,
            ZhSessionEdit  edit,
            const char    *lesson_id,
            const char    *student_id,
            const char    *value,
            const char    *work_type,
            gboolean       undoable)
{
  EditContext *ctx = edit_context_new (self, edit, lesson_id, student_id, undoable);

  ctx->mark_id = edit == ZH_SESSION_EDIT_DELETE_MARK ? g_strdup (value) : NULL;
  zh_session_edit_async (self->session, edit, lesson_id, student_id, value, work_type,
                         self->cancellable, edit_ready_cb, ctx);
}

/* A lesson edited or added on the lessons page: the page read again shows it, grid included. */
static void
lessons_changed_cb (ZhWindow *self)
{
  if (self->group_id != NULL && self->reader != NULL)
    load_page (self, self->group_id, self->period_key);
}

static void
edit_cell (ZhWindow      *self,
           guint          row,
           guint          column,
           ZhSessionEdit  edit,
           const char    *value)
{
  const ZhJournalLesson *lesson;
  const ZhJournalCell *cell;
  gboolean undoable;

  if (self->session == NULL || self->page == NULL || row >= self->page->n_rows ||
      column >= self->page->n_lessons)
    return;
  lesson = &self->page->lessons[column];
  cell = zh_journal_page_get_cell (self->page, row, column);
  /* «н» over a reason the class teacher set is no new entry to take back. */
  undoable = edit == ZH_SESSION_EDIT_MARK ||
             (edit == ZH_SESSION_EDIT_ABSENCE && !(cell->flags & ZH_JOURNAL_CELL_ATTENDANCE));
  start_edit (self, edit, lesson->id, self->page->rows[row].student_id, value,
              work_type_for_lesson (lesson->kind), undoable);
}

/* The attendance code of a cell before a reason typed on it: what the page shows, else — typed
 * faster than the page is read again — what this window's newest step on the cell left. */
static gboolean
code_before_reason (ZhWindow            *self,
                    const ZhJournalCell *cell,
                    const char          *lesson_id,
                    const char          *student_id,
                    ZhAttendanceCode    *code)
{
  if (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE)
    {
      *code = cell->attendance;
      return TRUE;
    }
  for (guint i = self->undo_steps->len; i-- > 0;)
    {
      UndoStep *step = self->undo_steps->pdata[i];

      if (step->edit == ZH_SESSION_EDIT_MARK || !g_str_equal (step->lesson_id, lesson_id) ||
          !g_str_equal (step->student_id, student_id))
        continue;
      *code = step->edit == ZH_SESSION_EDIT_ABSENCE ? ZH_ATTENDANCE_ABSENT : step->reason;
      return TRUE;
    }
  return FALSE;
}

/* The reason «б», «у» or «п» typed on an absence; one that changes what the cell showed is a step
 * to take back, giving the absence the code it had (002 §5.3, 000 §4.3.3). */
static void
reason_cell (ZhWindow         *self,
             guint             row,
             guint             column,
             ZhAttendanceCode  reason)
{
  const ZhJournalCell *cell;
  const char *lesson_id, *student_id;
  ZhAttendanceCode previous = ZH_ATTENDANCE_ABSENT;
  gboolean known;
  EditContext *ctx;

  if (self->session == NULL || self->page == NULL || row >= self->page->n_rows ||
      column >= self->page->n_lessons)
    return;
  cell = zh_journal_page_get_cell (self->page, row, column);
  lesson_id = self->page->lessons[column].id;
  student_id = self->page->rows[row].student_id;
  known = code_before_reason (self, cell, lesson_id, student_id, &previous);
  ctx = edit_context_new (self, ZH_SESSION_EDIT_ABSENCE_REASON, lesson_id, student_id,
                          known && previous != reason);
  ctx->reason = reason;
  ctx->previous = previous;
  zh_session_edit_async (self->session, ZH_SESSION_EDIT_ABSENCE_REASON, lesson_id, student_id,
                         zh_enum_to_nick (ZH_TYPE_ATTENDANCE_CODE, reason), NULL,
                         self->cancellable, edit_ready_cb, ctx);
}

/* The code of the school's scale a key typed in a period-mark column stands for: a code typed
 * as it is («5»), or the one value allowed as a period mark whose text or code begins with the
 * key («з» зач, «н» незач); else the key itself, for the policy to refuse with its reason. */
static const char *
period_mark_code (const ZhPolicy *policy,
                  const char     *text)
{
  g_autofree char *key = g_utf8_strdown (text, -1);
  const char *found = NULL;
  guint n_found = 0;

  for (guint i = 0; i < zh_policy_get_n_mark_values (policy); i++)
    {
      const char *code = zh_policy_get_mark_value_code (policy, i);
      const char *shown = NULL;
      ZhMarkUse use = ZH_MARK_USE_NONE;
      g_autofree char *shown_lower = NULL;

      zh_policy_lookup_mark_value (policy, code, &shown, NULL, NULL, &use);
      if (g_str_equal (code, text))
        return code;
      if (!(use & ZH_MARK_USE_PERIOD))
        continue;
      shown_lower = g_utf8_strdown (shown != NULL ? shown : code, -1);
      if (g_str_has_prefix (shown_lower, key) || g_str_has_prefix (code, key))
        {
          found = code;
          n_found++;
        }
    }
  return n_found == 1 ? found : text;
}

/* A key typed in a summary column: a mark of the scale becomes the period, year, ГИА or Итог mark
 * of the student (000 §4.2.4, §7) — the policy decides, a refusal is a toast with its reason; the
 * count, the average and the suggested mark are calculated, never typed (000 §7.1). */
static void
period_mark_input (ZhWindow   *self,
                   ZhGrid     *grid,
                   guint       row,
                   guint       column,
                   const char *text)
{
  ZhPeriodMarkKind kind;
  const char *period_id = NULL;
  EditContext *ctx;

  if (self->session == NULL || self->page == NULL || self->model == NULL ||
      row >= self->page->n_rows ||
      column - self->page->n_lessons >= zh_journal_model_get_n_summaries (self->model))
    return;
  if (!zh_journal_model_get_period_mark (self->model, column - self->page->n_lessons, &kind,
                                         &period_id))
    {
      show_toast (self, _("This column is calculated from the marks and cannot be typed in; put "
                          "the period mark in its own column."));
      return;
    }
  ctx = edit_context_new (self, ZH_SESSION_EDIT_PERIOD_MARK, NULL,
                         self->page->rows[row].student_id, FALSE);
  zh_session_set_period_mark_async (self->session, self->page->info.group_id,
                                    self->page->rows[row].student_id, kind, period_id,
                                    period_mark_code (self->page->policy, text), self->cancellable,
                                    edit_ready_cb, ctx);
  zh_grid_move_cursor (grid, GTK_MOVEMENT_DISPLAY_LINES, 1);
}

/* A key typed on a cell: «1»–«5» a mark, «н» an absence, «б», «у», «п» its reason. The cursor
 * then moves down to the next student, the way a column is filled on paper. */
static void
cell_input_cb (ZhGrid     *grid,
               guint       row,
               guint       column,
               const char *text,
               ZhWindow   *self)
{
  g_autofree char *lower = NULL;
  gboolean done = TRUE;

  if (self->page != NULL && column >= self->page->n_lessons)
    {
      period_mark_input (self, grid, row, column, text);
      return;
    }
  lower = g_utf8_strdown (text, -1);
  if (g_strv_contains ((const char *[]) { "1", "2", "3", "4", "5", NULL }, text))
    edit_cell (self, row, column, ZH_SESSION_EDIT_MARK, text);
  else if (g_str_equal (lower, "н"))
    edit_cell (self, row, column, ZH_SESSION_EDIT_ABSENCE, NULL);
  else if (g_str_equal (lower, "б"))
    reason_cell (self, row, column, ZH_ATTENDANCE_ILL);
  else if (g_str_equal (lower, "у"))
    reason_cell (self, row, column, ZH_ATTENDANCE_VALID);
  else if (g_str_equal (lower, "п"))
    reason_cell (self, row, column, ZH_ATTENDANCE_INVALID);
  else
    done = FALSE;
  if (done)
    zh_grid_move_cursor (grid, GTK_MOVEMENT_DISPLAY_LINES, 1);
}

/* The mark of @cell that Backspace takes back: the newest one typed in this window, else the
 * newest of the cell (the policy then says whether its author's grace still lasts). */
static const ZhJournalMark *
mark_to_take_back (ZhWindow            *self,
                   const ZhJournalCell *cell)
{
  const ZhJournalMark *newest = NULL;

  for (guint i = self->undo_steps->len; i-- > 0;)
    {
      UndoStep *step = self->undo_steps->pdata[i];

      for (guint m = cell->first_mark; step->mark_id != NULL && m < cell->first_mark + cell->n_marks;
           m++)
        if (g_str_equal (self->page->marks[m].id, step->mark_id))
          return &self->page->marks[m];
    }
  for (guint m = cell->first_mark; m < cell->first_mark + cell->n_marks; m++)
    if (newest == NULL || self->page->marks[m].entered_at >= newest->entered_at)
      newest = &self->page->marks[m];
  return newest;
}

/* Backspace or Delete: an absence is taken back; a mark only by its author within the school's
 * undo grace (002 §5.2) — after it the policy refuses, and a correction is the deputy's (002 §7). */
static void
cell_delete_cb (ZhGrid   *grid,
                guint     row,
                guint     column,
                ZhWindow *self)
{
  const ZhJournalCell *cell;
  const ZhJournalMark *mark;
  const char *lesson_id, *student_id;

  if (self->session == NULL || self->page == NULL || row >= self->page->n_rows ||
      column >= self->page->n_lessons)
    return;
  cell = zh_journal_page_get_cell (self->page, row, column);
  lesson_id = self->page->lessons[column].id;
  student_id = self->page->rows[row].student_id;
  if (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE)
    start_edit (self, ZH_SESSION_EDIT_CLEAR_ABSENCE, lesson_id, student_id, NULL, NULL, FALSE);
  else if ((mark = mark_to_take_back (self, cell)) != NULL)
    start_edit (self, ZH_SESSION_EDIT_DELETE_MARK, lesson_id, student_id, mark->id, NULL, FALSE);
}

/* Ctrl+Z: takes back the last entry typed in this window that may still be taken back, newest
 * first — a reason (the absence gets the code it had; the policy judges it as typing the reason,
 * 002 §5.3, 000 §4.3.3), an absence, or a mark within the undo grace; marks past it are dropped
 * from the steps. */
static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint grace = self->page != NULL ? zh_policy_get_undo_seconds (self->page->policy) : 0;

  if (self->session == NULL)
    return;
  while (self->undo_steps->len > 0)
    {
      UndoStep *step = self->undo_steps->pdata[self->undo_steps->len - 1];

      if (step->edit == ZH_SESSION_EDIT_MARK && now - step->at <= (gint64) grace)
        start_edit (self, ZH_SESSION_EDIT_DELETE_MARK, step->lesson_id, step->student_id,
                    step->mark_id, NULL, FALSE);
      else if (step->edit == ZH_SESSION_EDIT_ABSENCE)
        start_edit (self, ZH_SESSION_EDIT_CLEAR_ABSENCE, step->lesson_id, step->student_id, NULL,
                    NULL, FALSE);
      else if (step->edit == ZH_SESSION_EDIT_ABSENCE_REASON)
        zh_session_take_back_reason_async (self->session, step->lesson_id, step->student_id,
                                           step->reason, step->previous, self->cancellable,
                                           edit_ready_cb,
                                           edit_context_new (self, ZH_SESSION_EDIT_TAKE_BACK_REASON,
                                                             step->lesson_id, step->student_id,
                                                             FALSE));
      else
        {
          g_ptr_array_remove_index (self->undo_steps, self->undo_steps->len - 1);
          continue;
        }
      /* Gone at once: a second Ctrl+Z takes back the entry before it. */
      g_ptr_array_remove_index (self->undo_steps, self->undo_steps->len - 1);
      return;
    }
  {
    guint minutes = MAX (grace / 60, 1);
    g_autofree char *text = g_strdup_printf (ngettext ("Nothing to undo: a mark typed in this "
                                                       "window is taken back within %u minute",
                                                       "Nothing to undo: a mark typed in this "
                                                       "window is taken back within %u minutes",
                                                       minutes), minutes);

    show_toast (self, text);
  }
}

static void
show_conflicts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);

  _zh_window_show_conflicts (self);
}

/* ---- actions -------------------------------------------------------------------------------- */

static void
next_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  step_page (ZH_WINDOW (widget), 1);
}

static void
previous_page_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  step_page (ZH_WINDOW (widget), -1);
}

static void
show_journal_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "journal");
  gtk_widget_grab_focus (GTK_WIDGET (self->grid));
}

static void
show_lessons_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "lessons");
  gtk_widget_grab_focus (GTK_WIDGET (self->lessons_page));
}

static void
focus_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);

  gtk_toggle_button_set_active (self->sidebar_button, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
toggle_sidebar_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  ZhWindow *self = ZH_WINDOW (widget);

  gtk_toggle_button_set_active (self->sidebar_button,
                                !gtk_toggle_button_get_active (self->sidebar_button));
}

/* ---- the class ------------------------------------------------------------------------------ */

static void
zh_window_dispose (GObject *object)
{
  ZhWindow *self = ZH_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->sign_in_cancellable != NULL)
    g_cancellable_cancel (self->sign_in_cancellable);
  g_clear_object (&self->sign_in_cancellable);
  stop_session (self);
  g_clear_handle_id (&self->scroll_idle, g_source_remove);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), ZH_TYPE_WINDOW);
  g_clear_object (&self->model);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter);
  g_clear_object (&self->pages);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (zh_window_parent_class)->dispose (object);
}

static void
zh_window_finalize (GObject *object)
{
  ZhWindow *self = ZH_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->reader, zh_reader_unref);
  g_clear_pointer (&self->account, zh_journal_account_free);
  g_clear_pointer (&self->periods, g_ptr_array_unref);
  g_clear_pointer (&self->page, zh_journal_page_unref);
  g_clear_pointer (&self->matching_classes, g_hash_table_unref);
  g_free (self->query);
  g_free (self->last_toast);
  g_clear_pointer (&self->undo_steps, g_ptr_array_unref);
  g_free (self->group_id);
  g_free (self->period_key);

  G_OBJECT_CLASS (zh_window_parent_class)->finalize (object);
}

static void
zh_window_class_init (ZhWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_window_dispose;
  object_class->finalize = zh_window_finalize;

  /* ZhWindow::page-shown: a journal page is on the grid and the lessons page. */
  signals[PAGE_SHOWN] = g_signal_new ("page-shown", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (ZH_TYPE_GRID);
  g_type_ensure (ZH_TYPE_HISTORY_PANEL);
  g_type_ensure (ZH_TYPE_LESSONS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/zhurnal/Zhurnal/zh-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, view_switcher);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, welcome);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, pages_view);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, page_title);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, page_subtitle);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, grid);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, lessons_page);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, server_entry);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, login_entry);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, password_entry);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, sign_in_error);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, unlock_entry);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, unlock_error);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, status_box);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, conflicts_button);
  gtk_widget_class_bind_template_child (widget_class, ZhWindow, history_panel);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, unlock_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);

  /* Keys for these are the application's accelerators (zh-application.c), so they work wherever
   * the focus is, the grid included. */
  gtk_widget_class_install_action (widget_class, "win.next-page", NULL, next_page_action);
  gtk_widget_class_install_action (widget_class, "win.previous-page", NULL, previous_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-journal", NULL, show_journal_action);
  gtk_widget_class_install_action (widget_class, "win.show-lessons", NULL, show_lessons_action);
  gtk_widget_class_install_action (widget_class, "win.focus-search", NULL, focus_search_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-sidebar", NULL, toggle_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "win.unlock", NULL, unlock_action);
  gtk_widget_class_install_action (widget_class, "win.show-conflicts", NULL,
                                   show_conflicts_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  _zh_window_cells_class_init (widget_class);
}

static void
zh_window_init (ZhWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkFilterListModel) filtered = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->undo_steps = g_ptr_array_new_with_free_func ((GDestroyNotify) undo_step_free);
  self->matching_classes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->bench_startup = g_getenv ("ZH_BENCH_STARTUP") != NULL;
  self->bench_window = g_get_monotonic_time ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new (APP_ID);

  self->pages = g_list_store_new (ZH_TYPE_PAGE_ITEM);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->pages)),
                                        GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (page_selected_cb),
                            self);
  g_signal_connect (factory, "setup", G_CALLBACK (page_row_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (page_row_bind_cb), NULL);
  gtk_list_view_set_factory (self->pages_view, factory);
  gtk_list_view_set_model (self->pages_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_swapped (self->period_dropdown, "notify::selected",
                            G_CALLBACK (period_selected_cb), self);
  g_signal_connect_swapped (self->lessons_page, "changed", G_CALLBACK (lessons_changed_cb), self);

  g_signal_connect (self->grid, "cell-input", G_CALLBACK (cell_input_cb), self);
  g_signal_connect (self->grid, "cell-delete", G_CALLBACK (cell_delete_cb), self);
  _zh_window_cells_init (self);
  {
    GtkEventController *keys = gtk_event_controller_key_new ();
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (input_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), keys);
    gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
    g_signal_connect_swapped (click, "pressed", G_CALLBACK (pointer_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-page", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-page", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-journal", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-lessons", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.focus-search", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-sidebar", FALSE);
}

/* zh_window_new: a new main window of @application. */
ZhWindow *
zh_window_new (ZhApplication *application)
{
  g_return_val_if_fail (ZH_IS_APPLICATION (application), NULL);

  return g_object_new (ZH_TYPE_WINDOW, "application", application, NULL);
}

/* _zh_window_tune_reader: sets up the window's read-only store for reading pages. A year page of a
 * large school (the demo school at scale 3 is ≈900 MB) reads several MB of scattered index and
 * table pages; SQLite's default 2 MB cache lets every page switch read them again from the
 * kernel, a third of the load time. A 16 MB cache holds a few pages' worth and bounds what it
 * adds to the window's memory (a mapped file would add every page ever touched to its RSS). */
void
_zh_window_tune_reader (ZhStore *store)
{
  zh_store_exec (store, "PRAGMA cache_size = -16384", NULL);
}

/* _zh_window_get_grid: (transfer none): the journal grid. */
ZhGrid *
_zh_window_get_grid (ZhWindow *self)
{
  return self->grid;
}

/* _zh_window_get_page: (transfer none) (nullable): the page shown. */
ZhJournalPage *
_zh_window_get_page (ZhWindow *self)
{
  return self->page;
}

/* _zh_window_get_pages: (transfer none): the sidebar's rows as filtered now (ZhPageItem). */
GListModel *
_zh_window_get_pages (ZhWindow *self)
{
  return G_LIST_MODEL (self->selection);
}

/* _zh_window_get_lessons_page: (transfer none): the lessons page. */
ZhLessonsPage *
_zh_window_get_lessons_page (ZhWindow *self)
{
  return self->lessons_page;
}

/* _zh_window_get_period_key: the period shown: an id, "year", or NULL before a page is shown. */
const char *
_zh_window_get_period_key (ZhWindow *self)
{
  return self->period_key;
}

/* _zh_window_set_search: types @text into the sidebar's search. */
void
_zh_window_set_search (ZhWindow   *self,
                       const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  search_changed_cb (self);
}

/* _zh_window_get_last_toast: (nullable): the text of the last toast shown. */
const char *
_zh_window_get_last_toast (ZhWindow *self)
{
  return self->last_toast;
}

/* _zh_window_get_session: (transfer none) (nullable): the signed-in account. */
ZhSession *
_zh_window_get_session (ZhWindow *self)
{
  return self->session;
}

/* _zh_window_get_main_page: the name of the page the window shows: signin, locked, welcome,
 * journal. */
const char *
_zh_window_get_main_page (ZhWindow *self)
{
  return gtk_stack_get_visible_child_name (self->main_stack);
}

/* _zh_window_get_status: the header bar's status text. */
const char *
_zh_window_get_status (ZhWindow *self)
{
  return gtk_label_get_label (self->status_label);
}

/* _zh_window_get_sign_in_error: the error under the sign-in form, or "" . */
const char *
_zh_window_get_sign_in_error (ZhWindow *self)
{
  return gtk_label_get_label (self->sign_in_error);
}

/* _zh_window_get_path: (nullable): the journal file the window shows (the offline copy or the
 * --database file). */
const char *
_zh_window_get_path (ZhWindow *self)
{
  return self->reader != NULL ? self->reader->path : NULL;
}

/* _zh_window_get_account: (nullable): who reads the journal. */
ZhJournalAccount *
_zh_window_get_account (ZhWindow *self)
{
  return self->account;
}

/* _zh_window_get_history_panel: (transfer none): the cell history side panel. */
ZhHistoryPanel *
_zh_window_get_history_panel (ZhWindow *self)
{
  return self->history_panel;
}

/* _zh_window_reload_page: reads the page shown again from the copy, with the outbox's states. */
void
_zh_window_reload_page (ZhWindow *self)
{
  refresh_cell_states (self);
  if (self->group_id != NULL && self->reader != NULL)
    load_page (self, self->group_id, self->period_key);
}

/* _zh_window_show_toast: shows @message in a toast. */
void
_zh_window_show_toast (ZhWindow   *self,
                       const char *message)
{
  show_toast (self, message);
}

/* _zh_window_work_type_for_lesson: the work type a mark in a lesson of @kind gets by default. */
const char *
_zh_window_work_type_for_lesson (ZhLessonKind kind)
{
  return work_type_for_lesson (kind);
}
