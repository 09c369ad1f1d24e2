/* zh-lessons-page.c: ZhLessonsPage — the lessons of the journal page shown, their topics and
 * homework edited in place, lessons added for the free dates of the timetable (issue 6 §5).
 *
 * The rows are filled only when the page is on screen: filling the column view with a year's 200
 * lessons cost the journal's first frame 25–120 ms at start. Edits go through the session's
 * offline copy in a worker (zh_session_edit_lesson_async): the school's policy decides at once,
 * offline too, and a refusal changes nothing. The plan (КТП) topics and the free dates of the
 * timetable are read in workers from a read-only store of the page's own on the offline copy;
 * the main thread never touches SQLite except for the outbox's small list of lessons, the way the
 * window reads the outbox's cells.
 */
#define G_LOG_DOMAIN "zhurnal"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "zh-lesson-item.h"
#include "zh-lessons-page-private.h"
#include "zh-reader.h"

/* ---- the widget ------------------------------------------------------------------------------ */

struct _ZhLessonsPage
{
  GtkWidget           parent_instance;

  /* The template. */
  AdwToastOverlay    *toast_overlay;
  GtkWidget          *add_button;
  GtkColumnView      *view;

  ZhSession          *session;
  ZhReader             *reader;         /* on the session's offline copy */
  ZhJournalPage      *page;
  GListStore         *lessons;        /* of ZhLessonItem */
  GtkSingleSelection *selection;
  gboolean            stale;          /* filled when shown (ensure_lessons) */
  GCancellable       *cancellable;    /* cancelled in dispose */
  GHashTable         *states;         /* lesson id → ZhOutboxState + 1 */
  GHashTable         *reasons;        /* lesson id → the service's reason for refusing it */
  gboolean            states_stale;   /* refreshed once the editing ends */
  GHashTable         *saved;          /* lesson ids saved from this page */
  char               *select_id;      /* the lesson to select at the next fill */
  char               *last_toast;     /* for the UI tests */

  /* Editing in place: one pair of entries, moved into the cells of the row edited. */
  GtkEntry           *topic_entry;
  GtkEntry           *homework_entry;
  GtkListStore       *completions;    /* the group's plan topics, the next unused first */
  ZhLessonItem       *editing;        /* the row edited, or NULL */
  GCancellable       *plan_cancellable;
  gboolean            saving;
  GtkEntry           *focus_pending;  /* to take the focus when its cell is bound */

  /* Adding a lesson. */
  AdwMessageDialog   *dialog;
  GtkDropDown        *date_dropdown;
  GtkDropDown        *kind_dropdown;
  GPtrArray          *free_slots;     /* of ZhLessonsFreeSlot, the dialog's dates */
  gboolean            busy;           /* a worker or an edit is under way */
};

G_DEFINE_FINAL_TYPE (ZhLessonsPage, zh_lessons_page, GTK_TYPE_WIDGET)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void stop_edit       (ZhLessonsPage *self);
static void refresh_states  (ZhLessonsPage *self);

static void
show_toast (ZhLessonsPage *self,
            const char    *message)
{
  AdwToast *toast = adw_toast_new (message);

  g_free (self->last_toast);
  self->last_toast = g_strdup (message);
  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- the rows -------------------------------------------------------------------------------- */

static void
ensure_lessons (ZhLessonsPage *self)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *selected_id = NULL;
  ZhLessonItem *selected;
  guint position = GTK_INVALID_LIST_POSITION;

  /* A row being edited keeps its entries: the new rows wait for the end of the editing. */
  if (!self->stale || self->editing != NULL)
    return;
  self->stale = FALSE;
  selected = gtk_single_selection_get_selected_item (self->selection);
  selected_id = self->select_id != NULL ? g_steal_pointer (&self->select_id)
                : selected != NULL ? g_strdup (zh_lesson_item_get_lesson (selected)->id) : NULL;
  for (guint i = 0; self->page != NULL && i < self->page->n_lessons; i++)
    {
      g_ptr_array_add (items, zh_lesson_item_new (self->page, i));
      if (selected_id != NULL && g_str_equal (self->page->lessons[i].id, selected_id))
        position = i;
    }
  g_list_store_splice (self->lessons, 0, g_list_model_get_n_items (G_LIST_MODEL (self->lessons)),
                       items->pdata, items->len);
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->selection, position);
}

static void
zh_lessons_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (zh_lessons_page_parent_class)->map (widget);
  ensure_lessons (ZH_LESSONS_PAGE (widget));
}

/* zh_lessons_page_set_page: shows the lessons of @page (nullable); the rows are made when the
 * page is on screen. */
void
zh_lessons_page_set_page (ZhLessonsPage *self,
                          ZhJournalPage *page)
{
  g_return_if_fail (ZH_IS_LESSONS_PAGE (self));

  if (page != NULL)
    zh_journal_page_ref (page);
  g_clear_pointer (&self->page, zh_journal_page_unref);
  self->page = page;
  /* Another group: the row being edited goes. */
  if (self->editing != NULL &&
      (page == NULL || !g_str_equal (zh_lesson_item_get_page (self->editing)->info.group_id,
                                     page->info.group_id)))
    stop_edit (self);
  self->stale = TRUE;
  if (page == NULL)
    g_list_store_remove_all (self->lessons);
  else if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ensure_lessons (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lessons.add-lesson",
                                 self->session != NULL && page != NULL);
}

static void
sync_counts_cb (ZhLessonsPage *self)
{
  refresh_states (self);
}

/* zh_lessons_page_set_session: the signed-in account whose offline copy takes the edits, or NULL:
 * the page is read-only. */
void
zh_lessons_page_set_session (ZhLessonsPage *self,
                             ZhSession     *session)
{
  g_return_if_fail (ZH_IS_LESSONS_PAGE (self));
  g_return_if_fail (session == NULL || ZH_IS_SESSION (session));

  if (self->session == session)
    return;
  stop_edit (self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (zh_session_get_sync (self->session), self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->reader, zh_reader_unref);
  g_hash_table_remove_all (self->saved);
  g_hash_table_remove_all (self->states);
  g_hash_table_remove_all (self->reasons);
  if (session != NULL)
    {
      ZhSync *sync = zh_session_get_sync (session);

      self->session = g_object_ref (session);
      self->reader = zh_reader_new (zh_session_get_offline_path (session));
      g_signal_connect_object (sync, "notify::n-waiting", G_CALLBACK (sync_counts_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (sync, "notify::n-rejected", G_CALLBACK (sync_counts_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (sync, "notify::n-conflicts", G_CALLBACK (sync_counts_cb), self,
                               G_CONNECT_SWAPPED);
      refresh_states (self);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lessons.add-lesson",
                                 self->session != NULL && self->page != NULL);
}

/* ---- the cells ------------------------------------------------------------------------------- */

static const char *
status_text (ZhDeadlineStatus status)
{
  switch (status)
    {
    case ZH_DEADLINE_ON_TIME: return C_("deadline status", "on time");
    case ZH_DEADLINE_LATE: return C_("deadline status", "late");
    case ZH_DEADLINE_MISSING: return C_("deadline status", "missing");
    case ZH_DEADLINE_NOT_DUE: return C_("deadline status", "not due yet");
    default: g_return_val_if_reached ("");
    }
}

/* _zh_lessons_page_status_class: the style class of a deadline status: success, warning, error,
 * or dim-label for a record not due yet. */
const char *
_zh_lessons_page_status_class (ZhDeadlineStatus status)
{
  switch (status)
    {
    case ZH_DEADLINE_ON_TIME: return "success";
    case ZH_DEADLINE_LATE: return "warning";
    case ZH_DEADLINE_MISSING: return "error";
    case ZH_DEADLINE_NOT_DUE: return "dim-label";
    default: g_return_val_if_reached ("");
    }
}

/* _zh_lessons_page_status: the deadline status of a lesson's topic or homework record now
 * (REQUIREMENTS §3; 000 §3.5.2, §4.2.2). */
ZhDeadlineStatus
_zh_lessons_page_status (const ZhJournalPage   *page,
                         const ZhJournalLesson *lesson,
                         ZhRecordKind           kind,
                         gint64                 now)
{
  return zh_policy_deadline_status (page->policy, kind, lesson->date, lesson->number,
                                    kind == ZH_RECORD_TOPIC ? lesson->topic_entered_at
                                                            : lesson->homework_entered_at,
                                    now);
}

/* _zh_lessons_page_text: the text of the page's @column for @lesson (the state column's is
 * the page's own: "" here). */
char *
_zh_lessons_page_text (const ZhJournalPage   *page,
                       const ZhJournalLesson *lesson,
                       ZhLessonsColumn        column,
                       gint64                 now)
{
  int year = 0, month = 0, day = 0;

  switch (column)
    {
    case ZH_LESSONS_COLUMN_DATE:
      sscanf (lesson->date, "%d-%d-%d", &year, &month, &day);
      return g_strdup_printf ("%02d.%02d.%04d", day, month, year);
    case ZH_LESSONS_COLUMN_NUMBER:
      return g_strdup_printf ("%d", lesson->number);
    case ZH_LESSONS_COLUMN_TOPIC:
      return g_strdup (lesson->topic);
    case ZH_LESSONS_COLUMN_HOMEWORK:
      /* 002 §5.2: a lesson without homework says so. */
      return g_strdup (lesson->homework[0] != '\0' ? lesson->homework : _("not set"));
    case ZH_LESSONS_COLUMN_KIND:
      return g_strdup (zh_journal_lesson_kind_title (lesson->kind));
    case ZH_LESSONS_COLUMN_SUBSTITUTE:
      return g_strdup (lesson->substitute ? lesson->teacher_name : "");
    case ZH_LESSONS_COLUMN_TOPIC_STATUS:
      return g_strdup (status_text (_zh_lessons_page_status (page, lesson, ZH_RECORD_TOPIC, now)));
    case ZH_LESSONS_COLUMN_HOMEWORK_STATUS:
      return g_strdup (status_text (_zh_lessons_page_status (page, lesson, ZH_RECORD_HOMEWORK,
                                                             now)));
    case ZH_LESSONS_COLUMN_STATE:
      return g_strdup ("");
    default:
      g_return_val_if_reached (NULL);
    }
}

/* _zh_lessons_page_get_state: the sync state a row shows: "waiting", "rejected", "conflict",
 * "synced" (saved from this page and taken by the service), or NULL. */
const char *
_zh_lessons_page_get_state (ZhLessonsPage *self,
                            const char    *lesson_id)
{
  switch (GPOINTER_TO_UINT (g_hash_table_lookup (self->states, lesson_id)))
    {
    case ZH_OUTBOX_PENDING + 1:
      return "waiting";
    case ZH_OUTBOX_REJECTED + 1:
      return "rejected";
    case ZH_OUTBOX_CONFLICT + 1:
      return "conflict";
    default:
      return g_hash_table_contains (self->saved, lesson_id) ? "synced" : NULL;
    }
}

/* _zh_lessons_page_dup_state_tooltip: (transfer full): the words for the sync state of a row,
 * a refusal with the service's reason as the outbox keeps it, or NULL for no state. */
char *
_zh_lessons_page_dup_state_tooltip (ZhLessonsPage *self,
                                    const char    *lesson_id)
{
  const char *state = _zh_lessons_page_get_state (self, lesson_id);
  const char *reason;

  if (g_strcmp0 (state, "waiting") == 0)
    return g_strdup (_("not sent yet"));
  if (g_strcmp0 (state, "rejected") == 0)
    {
      reason = g_hash_table_lookup (self->reasons, lesson_id);
      if (reason == NULL || reason[0] == '\0')
        return g_strdup (_("refused by the service"));
      /* Translators: a lesson's change the service refused, and the service's reason */
      return g_strdup_printf (_("refused by the service: %s"), reason);
    }
  if (g_strcmp0 (state, "conflict") == 0)
    return g_strdup (_("changed here and on the service"));
  if (g_strcmp0 (state, "synced") == 0)
    return g_strdup (_("sent to the service"));
  return NULL;
}

/* What a column's factory needs. */
typedef struct
{
  ZhLessonsPage   *page;
  ZhLessonsColumn  column;
} ColumnData;

static gboolean
is_text_column (ZhLessonsColumn column)
{
  return column == ZH_LESSONS_COLUMN_TOPIC || column == ZH_LESSONS_COLUMN_HOMEWORK;
}

static gboolean
grab_pending_focus_cb (gpointer user_data)
{
  ZhLessonsPage *self = user_data;

  if (self->focus_pending != NULL && gtk_widget_get_parent (GTK_WIDGET (self->focus_pending)))
    gtk_widget_grab_focus (GTK_WIDGET (self->focus_pending));
  self->focus_pending = NULL;
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Puts the entry of the row being edited into the cell, or takes it out. */
static void
sync_text_cell (GtkStack     *stack,
                ZhLessonItem *item)
{
  ColumnData *data = g_object_get_data (G_OBJECT (stack), "zh-column");
  ZhLessonsPage *self = data->page;
  GtkWidget *slot = gtk_stack_get_child_by_name (stack, "edit");
  GtkWidget *entry = GTK_WIDGET (data->column == ZH_LESSONS_COLUMN_TOPIC ? self->topic_entry
                                                                          : self->homework_entry);
  GtkWidget *parent = gtk_widget_get_parent (entry);

  if (item != NULL && zh_lesson_item_get_editing (item))
    {
      if (parent != slot)
        {
          if (parent != NULL)
            gtk_box_remove (GTK_BOX (parent), entry);
          gtk_box_append (GTK_BOX (slot), entry);
        }
      gtk_stack_set_visible_child (stack, slot);
      if (self->focus_pending == GTK_ENTRY (entry))
        g_idle_add (grab_pending_focus_cb, g_object_ref (self));
    }
  else
    {
      if (parent == slot)
        gtk_box_remove (GTK_BOX (slot), entry);
      gtk_stack_set_visible_child_name (stack, "label");
    }
}

static void
item_editing_cb (ZhLessonItem *item,
                 GParamSpec   *pspec,
                 GtkStack     *stack)
{
  sync_text_cell (stack, item);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ColumnData               *data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), data->column == ZH_LESSONS_COLUMN_NUMBER ||
                                           data->column == ZH_LESSONS_COLUMN_STATE ? 0.5 : 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (is_text_column (data->column))
    {
      GtkWidget *stack = gtk_stack_new ();
      GtkWidget *slot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

      gtk_stack_add_named (GTK_STACK (stack), label, "label");
      gtk_stack_add_named (GTK_STACK (stack), slot, "edit");
      gtk_stack_set_hhomogeneous (GTK_STACK (stack), FALSE);
      g_object_set_data (G_OBJECT (stack), "zh-column", data);
      g_object_set_data (G_OBJECT (stack), "zh-label", label);
      gtk_list_item_set_child (list_item, stack);
    }
  else
    gtk_list_item_set_child (list_item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ColumnData               *data)
{
  ZhLessonsPage *self = data->page;
  ZhLessonItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  GtkWidget *label = is_text_column (data->column) ? g_object_get_data (G_OBJECT (child), "zh-label")
                                                   : child;
  const ZhJournalLesson *lesson = zh_lesson_item_get_lesson (item);
  ZhJournalPage *page = zh_lesson_item_get_page (item);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *text = _zh_lessons_page_text (page, lesson, data->column, now);
  const char *classes[3] = { NULL, NULL, NULL };
  g_autofree char *state_tooltip = NULL;
  const char *tooltip = NULL;

  if (data->column == ZH_LESSONS_COLUMN_TOPIC_STATUS ||
      data->column == ZH_LESSONS_COLUMN_HOMEWORK_STATUS)
    {
      ZhRecordKind kind = data->column == ZH_LESSONS_COLUMN_TOPIC_STATUS ? ZH_RECORD_TOPIC
                                                                         : ZH_RECORD_HOMEWORK;

      classes[0] = "zh-status";
      classes[1] = _zh_lessons_page_status_class (_zh_lessons_page_status (page, lesson, kind,
                                                                           now));
    }
  else if (data->column == ZH_LESSONS_COLUMN_HOMEWORK && lesson->homework[0] == '\0')
    classes[0] = "dim-label";
  else if (data->column == ZH_LESSONS_COLUMN_STATE)
    {
      const char *state = _zh_lessons_page_get_state (self, lesson->id);

      /* The journal grid's dot: accent while waiting, red refused, orange in conflict. */
      g_free (text);
      text = g_strdup (state == NULL ? "" : g_str_equal (state, "synced") ? "✓" : "●");
      state_tooltip = _zh_lessons_page_dup_state_tooltip (self, lesson->id);
      tooltip = state_tooltip;
      classes[0] = "zh-sync-state";
      if (state != NULL)
        classes[1] = g_str_equal (state, "waiting") ? "accent"
                     : g_str_equal (state, "rejected") ? "error"
                     : g_str_equal (state, "conflict") ? "warning" : "dim-label";
    }
  gtk_label_set_label (GTK_LABEL (label), text);
  if (is_text_column (data->column))
    tooltip = text;
  gtk_widget_set_tooltip_text (label, tooltip != NULL && tooltip[0] != '\0' ? tooltip : NULL);
  gtk_widget_set_css_classes (label, classes);

  if (is_text_column (data->column))
    {
      g_signal_connect (item, "notify::editing", G_CALLBACK (item_editing_cb), child);
      sync_text_cell (GTK_STACK (child), item);
    }
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ColumnData               *data)
{
  ZhLessonItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (!is_text_column (data->column))
    return;
  if (item != NULL)
    g_signal_handlers_disconnect_by_func (item, item_editing_cb, child);
  sync_text_cell (GTK_STACK (child), NULL);
}

static void
add_column (ZhLessonsPage   *self,
            ZhLessonsColumn  column,
            const char      *title,
            gboolean         expand,
            int              width)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;
  ColumnData *data = g_new0 (ColumnData, 1);

  data->page = self;
  data->column = column;
  g_signal_connect_data (factory, "setup", G_CALLBACK (cell_setup_cb), data,
                         (GClosureNotify) (void (*) (void)) g_free, 0);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), data);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), data);
  view_column = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (view_column, expand);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (view_column, width);
  gtk_column_view_append_column (self->view, view_column);
}

/* ---- the sync states ------------------------------------------------------------------------- */

/* Reads the outbox's lessons again and redraws the rows. */
static void
refresh_states (ZhLessonsPage *self)
{
  g_autoptr(GError) error = NULL;
  GHashTable *states;
  GHashTable *reasons;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->lessons));

  if (self->session == NULL)
    return;
  if (self->editing != NULL)
    {
      self->states_stale = TRUE;
      return;
    }
  self->states_stale = FALSE;
  states = zh_session_list_lesson_states (self->session, &error);
  reasons = states != NULL ? zh_session_list_lesson_reasons (self->session, &error) : NULL;
  if (reasons == NULL)
    {
      g_clear_pointer (&states, g_hash_table_unref);
      g_warning ("%s", error->message);
      return;
    }
  g_hash_table_unref (self->states);
  self->states = states;
  /* A refused row tells why, in the service's words, as the outbox keeps them. */
  g_hash_table_unref (self->reasons);
  self->reasons = reasons;
  /* The rows on screen are bound again; the others when they come. */
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self->lessons), 0, n, n);
}

/* ---- editing in place ------------------------------------------------------------------------ */

typedef struct
{
  char *topic;
  guint used;
  guint hours;
} PlanTopic;

static void
plan_topic_free (PlanTopic *topic)
{
  g_free (topic->topic);
  g_free (topic);
}

typedef struct
{
  ZhReader *reader;
  char   *group_id;
} PlanData;

static void
plan_data_free (PlanData *data)
{
  zh_reader_unref (data->reader);
  g_free (data->group_id);
  g_free (data);
}

/* In a worker: the group's КТП topics in order, with how many lessons have each already. */
static void
plan_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PlanData *data = task_data;
  g_autoptr(GPtrArray) topics = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_topic_free);
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  ZhStore *store;
  int rc = SQLITE_DONE;

  g_mutex_lock (&data->reader->lock);
  store = zh_reader_get_store (data->reader, &error);
  if (store != NULL)
    stmt = zh_store_prepare (store,
                             "SELECT p.topic, p.hours, (SELECT count (*) FROM lesson l "
                             "WHERE l.group_id = p.group_id AND (l.plan_item_id = p.id "
                             "OR l.topic = p.topic)) FROM plan_item p WHERE p.group_id = ?1 "
                             "ORDER BY p.number", &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, data->group_id, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          PlanTopic *topic = g_new0 (PlanTopic, 1);

          topic->topic = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          topic->hours = sqlite3_column_int (stmt, 1);
          topic->used = sqlite3_column_int (stmt, 2);
          g_ptr_array_add (topics, topic);
        }
      if (rc != SQLITE_DONE)
        zh_store_set_error (store, rc, "plan_item", &error);
      sqlite3_reset (stmt);
    }
  g_mutex_unlock (&data->reader->lock);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&topics), (GDestroyNotify) g_ptr_array_unref);
}

/* The completion matches a plan topic anywhere in it, whatever the case. */
static gboolean
completion_match_cb (GtkEntryCompletion *completion,
                     const char         *key,
                     GtkTreeIter        *iter,
                     gpointer            user_data)
{
  GtkTreeModel *model = gtk_entry_completion_get_model (completion);
  g_autofree char *topic = NULL;
  g_autofree char *folded = NULL;
  g_autofree char *folded_key = g_utf8_casefold (key, -1);

  gtk_tree_model_get (model, iter, 0, &topic, -1);
  if (topic == NULL)
    return FALSE;
  folded = g_utf8_casefold (topic, -1);
  return strstr (folded, folded_key) != NULL;
}

/* Fills the completion: the unused plan topics in order (the next one first), then the others;
 * returns the next unused topic, or NULL. */
static const char *
fill_completions (ZhLessonsPage *self,
                  GPtrArray     *topics)
{
  const char *next = NULL;

  gtk_list_store_clear (self->completions);
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < topics->len; i++)
      {
        PlanTopic *topic = topics->pdata[i];
        gboolean unused = topic->used < topic->hours;

        if (unused == (pass == 0))
          {
            gtk_list_store_insert_with_values (self->completions, NULL, -1, 0, topic->topic, -1);
            if (unused && next == NULL)
              next = topic->topic;
          }
      }
  return next;
}

/* The column view's list, whose "list.scroll-to-item" GTK 4.8 does not offer on the view. */
static GtkWidget *
find_list_view (ZhLessonsPage *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      return child;
  return NULL;
}

static void
open_editor (ZhLessonsPage *self,
             ZhLessonItem  *item,
             const char    *next_topic)
{
  const ZhJournalLesson *lesson = zh_lesson_item_get_lesson (item);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->lessons));
  GtkWidget *list = find_list_view (self);

  self->editing = g_object_ref (item);
  /* An empty topic starts as the next topic of the plan, selected: Enter takes it, typing
   * replaces it (REQUIREMENTS §2: lesson topics follow the КТП). */
  gtk_editable_set_text (GTK_EDITABLE (self->topic_entry),
                         lesson->topic[0] != '\0' ? lesson->topic
                         : next_topic != NULL ? next_topic : "");
  gtk_editable_set_text (GTK_EDITABLE (self->homework_entry), lesson->homework);
  self->focus_pending = self->topic_entry;
  zh_lesson_item_set_editing (item, TRUE);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ZhLessonItem) row = g_list_model_get_item (G_LIST_MODEL (self->lessons), i);

      if (row == item)
        {
          gtk_single_selection_set_selected (self->selection, i);
          if (list != NULL)
            gtk_widget_activate_action (list, "list.scroll-to-item", "u", i);
          break;
        }
    }
  gtk_editable_select_region (GTK_EDITABLE (self->topic_entry), 0, -1);
}

static void
plan_ready_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  ZhLessonsPage *self = ZH_LESSONS_PAGE (source);
  g_autoptr(ZhLessonItem) item = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) topics = g_task_propagate_pointer (G_TASK (res), &error);
  const char *next = NULL;

  if (g_task_get_cancellable (G_TASK (res)) != self->plan_cancellable)
    return;
  self->busy = FALSE;
  g_clear_object (&self->plan_cancellable);
  if (topics == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Without the plan the topic is typed. */
      g_warning ("%s", error->message);
    }
  else
    next = fill_completions (self, topics);
  if (self->editing == NULL && zh_lesson_item_get_page (item) == self->page)
    open_editor (self, item, next);
}

/* Starts editing the row at @position: the plan is read first, for the completion. */
static void
start_edit (ZhLessonsPage *self,
            guint          position)
{
  g_autoptr(ZhLessonItem) item = g_list_model_get_item (G_LIST_MODEL (self->lessons), position);
  g_autoptr(GTask) task = NULL;
  PlanData *data;

  if (item == NULL || self->saving)
    return;
  if (self->session == NULL)
    {
      show_toast (self, _("The journal is open for reading only: sign in to edit the lessons."));
      return;
    }
  if (self->editing == item)
    return;
  stop_edit (self);
  if (self->plan_cancellable != NULL)
    g_cancellable_cancel (self->plan_cancellable);
  g_clear_object (&self->plan_cancellable);
  self->plan_cancellable = g_cancellable_new ();
  data = g_new0 (PlanData, 1);
  data->reader = g_atomic_rc_box_acquire (self->reader);
  data->group_id = g_strdup (zh_lesson_item_get_page (item)->info.group_id);
  self->busy = TRUE;
  task = g_task_new (self, self->plan_cancellable, plan_ready_cb, g_object_ref (item));
  g_task_set_source_tag (task, start_edit);
  g_task_set_task_data (task, data, (GDestroyNotify) plan_data_free);
  g_task_run_in_thread (task, plan_thread);
}

/* Ends the editing without saving; the rows and states that waited for it come in. */
static void
stop_edit (ZhLessonsPage *self)
{
  g_autoptr(ZhLessonItem) item = g_steal_pointer (&self->editing);
  gboolean had_focus;

  if (item == NULL)
    return;
  had_focus = gtk_widget_has_focus (GTK_WIDGET (self->topic_entry)) ||
              gtk_widget_has_focus (GTK_WIDGET (self->homework_entry)) ||
              gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (
                                      GTK_EDITABLE (self->topic_entry)))) ||
              gtk_widget_has_focus (GTK_WIDGET (gtk_editable_get_delegate (
                                      GTK_EDITABLE (self->homework_entry))));
  self->focus_pending = NULL;
  zh_lesson_item_set_editing (item, FALSE);
  if (had_focus)
    gtk_widget_grab_focus (GTK_WIDGET (self->view));
  ensure_lessons (self);
  if (self->states_stale)
    refresh_states (self);
}

typedef struct
{
  ZhLessonsPage *self;
  char          *lesson_id;
} SaveData;

static void
save_ready_cb (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  SaveData *data = user_data;
  ZhLessonsPage *self = data->self;
  g_autoptr(GError) error = NULL;

  self->saving = FALSE;
  self->busy = FALSE;
  if (!zh_session_edit_finish (ZH_SESSION (source), res, &error))
    {
      /* The policy's reason, at once; the editor stays for a correction or Escape. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
    }
  else
    {
      g_hash_table_add (self->saved, g_strdup (data->lesson_id));
      stop_edit (self);
      refresh_states (self);
      /* The window reads the page again: the new texts and deadline statuses come with it. */
      g_signal_emit (self, signals[CHANGED], 0);
    }
  g_free (data->lesson_id);
  g_object_unref (data->self);
  g_free (data);
}

/* Enter in an entry: the changed texts go to the offline copy, the policy checking them. */
static void
save_edit (ZhLessonsPage *self)
{
  const ZhJournalLesson *lesson;
  g_autofree char *topic = NULL;
  g_autofree char *homework = NULL;
  ZhSessionLessonText text = { NULL, NULL };
  SaveData *data;

  if (self->editing == NULL || self->saving || self->session == NULL)
    return;
  lesson = zh_lesson_item_get_lesson (self->editing);
  topic = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->topic_entry))));
  homework = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->homework_entry))));
  if (!g_str_equal (topic, lesson->topic))
    text.topic = topic;
  if (!g_str_equal (homework, lesson->homework))
    text.homework = homework;
  if (text.topic == NULL && text.homework == NULL)
    {
      stop_edit (self);
      return;
    }
  self->saving = TRUE;
  self->busy = TRUE;
  data = g_new0 (SaveData, 1);
  data->self = g_object_ref (self);
  data->lesson_id = g_strdup (lesson->id);
  zh_session_edit_lesson_async (self->session, lesson->id, &text, self->cancellable,
                                save_ready_cb, data);
}

static gboolean
entry_key_cb (GtkEventControllerKey *controller,
              guint                  keyval,
              guint                  keycode,
              GdkModifierType        state,
              ZhLessonsPage         *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  switch (keyval)
    {
    case GDK_KEY_Escape:
      stop_edit (self);
      return TRUE;
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
    case GDK_KEY_ISO_Left_Tab:
      /* Tab goes between the topic and the homework, not out of the row. */
      gtk_widget_grab_focus (entry == GTK_WIDGET (self->topic_entry)
                             ? GTK_WIDGET (self->homework_entry)
                             : GTK_WIDGET (self->topic_entry));
      return TRUE;
    default:
      return FALSE;
    }
}

static GtkEntry *
make_entry (ZhLessonsPage *self,
            const char    *accessible_name)
{
  GtkWidget *entry = gtk_entry_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_set_hexpand (entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (entry_key_cb), self);
  gtk_widget_add_controller (entry, keys);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (save_edit), self);
  return GTK_ENTRY (g_object_ref_sink (entry));
}

static void
cancel_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  stop_edit (ZH_LESSONS_PAGE (widget));
}

static void
row_activated_cb (ZhLessonsPage *self,
                  guint          position)
{
  start_edit (self, position);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ZhLessonsPage *self = ZH_LESSONS_PAGE (widget);
  guint position = gtk_single_selection_get_selected (self->selection);

  if (position != GTK_INVALID_LIST_POSITION)
    start_edit (self, position);
}

/* ---- adding a lesson ------------------------------------------------------------------------- */

typedef struct
{
  ZhReader        *reader;
  ZhJournalPage *page;
  char          *login;
} FreeData;

static void
free_data_free (FreeData *data)
{
  zh_reader_unref (data->reader);
  zh_journal_page_unref (data->page);
  g_free (data->login);
  g_free (data);
}

typedef struct
{
  int  weekday;
  int  number;
  char valid_from[11];
  char valid_to[11];
} Slot;

static gboolean
in_periods (const ZhJournalPage *page,
            const char          *date)
{
  /* Between the periods are the holidays. */
  for (guint i = 0; i < page->n_periods; i++)
    if (strcmp (page->periods[i].starts, date) <= 0 && strcmp (date, page->periods[i].ends) <= 0)
      return TRUE;
  return page->n_periods == 0;
}

/* In a worker: the dates of the group's timetable in the page's period, up to today, that have no
 * lesson and on which the policy lets this account add one (001 §5.3, 004 §3.6), newest first. */
static GPtrArray *
list_free_slots (ZhStore        *store,
                 ZhJournalPage  *page,
                 const char     *login,
                 GError        **error)
{
  g_autoptr(GPtrArray) free_slots = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ZhJournalAccount) account = NULL;
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  g_autofree char *year_start = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GDate today, first, date;
  sqlite3_stmt *stmt;
  int rc;

  account = zh_journal_find_account (store, login, error);
  if (account == NULL)
    return NULL;

  stmt = zh_store_prepare (store, "SELECT starts FROM academic_year WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, page->year_id, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    year_start = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, "academic_year", error);
      return NULL;
    }

  stmt = zh_store_prepare (store, "SELECT date || '/' || number FROM lesson WHERE group_id = ?1 "
                                  "AND date BETWEEN ?2 AND ?3", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, page->info.group_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, page->period.starts, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, page->period.ends, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (taken, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, "lesson", error);
      return NULL;
    }

  stmt = zh_store_prepare (store, "SELECT weekday, number, valid_from, valid_to FROM "
                                  "timetable_slot WHERE group_id = ?1 ORDER BY number DESC",
                           error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, page->info.group_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Slot slot = { sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1), "", "" };

      g_strlcpy (slot.valid_from, (const char *) sqlite3_column_text (stmt, 2),
                 sizeof slot.valid_from);
      g_strlcpy (slot.valid_to, (const char *) sqlite3_column_text (stmt, 3), sizeof slot.valid_to);
      g_array_append_val (slots, slot);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      zh_store_set_error (store, rc, "timetable_slot", error);
      return NULL;
    }

  /* Not a lesson yet to come: a lesson is recorded on its day or later. */
  zh_policy_local_date (page->policy, now, &today);
  g_date_clear (&first, 1);
  g_date_clear (&date, 1);
  g_date_set_parse (&first, page->period.starts);
  g_date_set_parse (&date, page->period.ends);
  if (!g_date_valid (&first) || !g_date_valid (&date))
    return g_steal_pointer (&free_slots);
  if (g_date_compare (&date, &today) > 0)
    date = today;
  for (; g_date_compare (&date, &first) >= 0; g_date_subtract_days (&date, 1))
    {
      char text[11];

      g_snprintf (text, sizeof text, "%04d-%02d-%02d", g_date_get_year (&date),
                  g_date_get_month (&date), g_date_get_day (&date));
      if (!in_periods (page, text))
        continue;
      for (guint i = 0; i < slots->len; i++)
        {
          Slot *slot = &g_array_index (slots, Slot, i);
          ZhEditRequest request = { 0 };
          ZhLessonsFreeSlot *free_slot;
          char key[24];

          if (slot->weekday != (int) g_date_get_weekday (&date) ||
              strcmp (slot->valid_from, text) > 0 || strcmp (text, slot->valid_to) > 0)
            continue;
          g_snprintf (key, sizeof key, "%s/%d", text, slot->number);
          if (g_hash_table_contains (taken, key))
            continue;
          request.kind = ZH_EDIT_SET_LESSON;
          request.roles = account->roles;
          request.teaches_group = g_strcmp0 (page->info.teacher_id, account->staff_id) == 0;
          request.grade = page->grade;
          request.date = text;
          request.year_start = year_start;
          request.now = now;
          if (!zh_policy_may_edit (page->policy, &request, NULL))
            continue;
          free_slot = g_new0 (ZhLessonsFreeSlot, 1);
          g_strlcpy (free_slot->date, text, sizeof free_slot->date);
          free_slot->number = slot->number;
          g_ptr_array_add (free_slots, free_slot);
        }
    }
  return g_steal_pointer (&free_slots);
}

static void
free_slots_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FreeData *data = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *slots = NULL;
  ZhStore *store;

  g_mutex_lock (&data->reader->lock);
  store = zh_reader_get_store (data->reader, &error);
  if (store != NULL)
    slots = list_free_slots (store, data->page, data->login, &error);
  g_mutex_unlock (&data->reader->lock);

  if (slots == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, slots, (GDestroyNotify) g_ptr_array_unref);
}

static const char *
weekday_name (GDateWeekday weekday)
{
  switch (weekday)
    {
    case G_DATE_MONDAY: return C_("weekday", "Monday");
    case G_DATE_TUESDAY: return C_("weekday", "Tuesday");
    case G_DATE_WEDNESDAY: return C_("weekday", "Wednesday");
    case G_DATE_THURSDAY: return C_("weekday", "Thursday");
    case G_DATE_FRIDAY: return C_("weekday", "Friday");
    case G_DATE_SATURDAY: return C_("weekday", "Saturday");
    case G_DATE_SUNDAY: return C_("weekday", "Sunday");
    case G_DATE_BAD_WEEKDAY:
    default: return "";
    }
}

static void
add_ready_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  ZhLessonsPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *lesson_id = zh_session_add_lesson_finish (ZH_SESSION (source), res, &error);

  self->busy = FALSE;
  if (lesson_id == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
      g_object_unref (self);
      return;
    }
  g_hash_table_add (self->saved, g_strdup (lesson_id));
  refresh_states (self);
  /* The new row is chosen when the page read again comes (the grid shows it too). */
  g_free (self->select_id);
  self->select_id = g_steal_pointer (&lesson_id);
  g_signal_emit (self, signals[CHANGED], 0);
  g_object_unref (self);
}

static void
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    ZhLessonsPage    *self)
{
  guint chosen = gtk_drop_down_get_selected (self->date_dropdown);
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);

  if (g_str_equal (response, "add") && self->session != NULL && self->page != NULL &&
      self->free_slots != NULL && chosen < self->free_slots->len)
    {
      ZhLessonsFreeSlot *slot = self->free_slots->pdata[chosen];

      self->busy = TRUE;
      zh_session_add_lesson_async (self->session, self->page->info.group_id, slot->date,
                                   slot->number, kind == GTK_INVALID_LIST_POSITION
                                                 ? ZH_LESSON_KIND_LESSON : (ZhLessonKind) kind,
                                   self->cancellable, add_ready_cb, g_object_ref (self));
    }
  self->dialog = NULL;
  self->date_dropdown = NULL;
  self->kind_dropdown = NULL;
}

static void
show_dialog (ZhLessonsPage *self,
             GPtrArray     *slots)
{
  g_autoptr(GtkStringList) dates = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *dialog;
  GEnumClass *kind_class = g_type_class_ref (ZH_TYPE_LESSON_KIND);

  for (guint i = 0; i < slots->len; i++)
    {
      ZhLessonsFreeSlot *slot = slots->pdata[i];
      GDate date;
      g_autofree char *label = NULL;
      char day[11];

      g_date_clear (&date, 1);
      g_date_set_parse (&date, slot->date);
      g_snprintf (day, sizeof day, "%02d.%02d.%04d", g_date_get_day (&date),
                  g_date_get_month (&date), g_date_get_year (&date));
      /* Translators: a date the lesson may be added for: «17.11.2026, вторник, урок 3» */
      label = g_strdup_printf (_("%s, %s, lesson %d"), day,
                               weekday_name (g_date_get_weekday (&date)), slot->number);
      gtk_string_list_append (dates, label);
    }
  for (guint i = 0; i < kind_class->n_values; i++)
    gtk_string_list_append (kinds, zh_journal_lesson_kind_title (kind_class->values[i].value));
  g_type_class_unref (kind_class);

  g_clear_pointer (&self->free_slots, g_ptr_array_unref);
  self->free_slots = g_ptr_array_ref (slots);
  self->date_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (dates)),
                                                          NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->date_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Date of the lesson"), -1);
  self->kind_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (kinds)),
                                                          NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->kind_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Kind of the lesson"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->date_dropdown));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->kind_dropdown));

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Add a Lesson"),
                                   _("A date of the group’s timetable in this period that has "
                                     "no lesson yet; the number is the timetable’s."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "add",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (dialog_response_cb), self,
                           G_CONNECT_DEFAULT);
  self->dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (self->date_dropdown));
}

static void
free_slots_ready_cb (GObject      *source,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  ZhLessonsPage *self = ZH_LESSONS_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) slots = g_task_propagate_pointer (G_TASK (res), &error);

  self->busy = FALSE;
  if (slots == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, error->message);
      return;
    }
  g_clear_pointer (&self->free_slots, g_ptr_array_unref);
  self->free_slots = g_ptr_array_ref (slots);
  if (slots->len == 0)
    {
      show_toast (self, _("Every date of the timetable up to today has its lesson in this "
                          "period."));
      return;
    }
  show_dialog (self, slots);
}

static void
add_lesson_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ZhLessonsPage *self = ZH_LESSONS_PAGE (widget);
  g_autoptr(GTask) task = NULL;
  FreeData *data;

  if (self->session == NULL || self->page == NULL || self->dialog != NULL || self->busy)
    return;
  stop_edit (self);
  data = g_new0 (FreeData, 1);
  data->reader = g_atomic_rc_box_acquire (self->reader);
  data->page = zh_journal_page_ref (self->page);
  data->login = g_strdup (zh_session_get_login (self->session));
  self->busy = TRUE;
  task = g_task_new (self, self->cancellable, free_slots_ready_cb, NULL);
  g_task_set_source_tag (task, add_lesson_action);
  g_task_set_task_data (task, data, (GDestroyNotify) free_data_free);
  g_task_run_in_thread (task, free_slots_thread);
}

/* ---- the class ------------------------------------------------------------------------------- */

static gboolean
zh_lessons_page_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (ZH_LESSONS_PAGE (widget)->view));
}

static void
zh_lessons_page_dispose (GObject *object)
{
  ZhLessonsPage *self = ZH_LESSONS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->plan_cancellable != NULL)
    g_cancellable_cancel (self->plan_cancellable);
  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  self->dialog = NULL;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (zh_session_get_sync (self->session), self);
  g_clear_object (&self->editing);
  gtk_widget_dispose_template (GTK_WIDGET (object), ZH_TYPE_LESSONS_PAGE);
  g_clear_object (&self->topic_entry);
  g_clear_object (&self->homework_entry);
  g_clear_object (&self->completions);
  g_clear_object (&self->selection);
  g_clear_object (&self->lessons);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (zh_lessons_page_parent_class)->dispose (object);
}

static void
zh_lessons_page_finalize (GObject *object)
{
  ZhLessonsPage *self = ZH_LESSONS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->plan_cancellable);
  g_clear_pointer (&self->reader, zh_reader_unref);
  g_clear_pointer (&self->page, zh_journal_page_unref);
  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_pointer (&self->reasons, g_hash_table_unref);
  g_clear_pointer (&self->saved, g_hash_table_unref);
  g_clear_pointer (&self->free_slots, g_ptr_array_unref);
  g_free (self->select_id);
  g_free (self->last_toast);

  G_OBJECT_CLASS (zh_lessons_page_parent_class)->finalize (object);
}

static void
zh_lessons_page_class_init (ZhLessonsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = zh_lessons_page_dispose;
  object_class->finalize = zh_lessons_page_finalize;
  widget_class->map = zh_lessons_page_map;
  widget_class->grab_focus = zh_lessons_page_grab_focus;

  /* ZhLessonsPage::changed: a lesson was edited or added in the offline copy: read the page
   * again. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/zhurnal/Zhurnal/zh-lessons-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ZhLessonsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ZhLessonsPage, add_button);
  gtk_widget_class_bind_template_child (widget_class, ZhLessonsPage, view);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "lessons.add-lesson", NULL, add_lesson_action);
  gtk_widget_class_install_action (widget_class, "lessons.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "lessons.cancel-edit", NULL, cancel_edit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "lessons.add-lesson", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "lessons.edit", NULL);
}

static void
zh_lessons_page_init (ZhLessonsPage *self)
{
  g_autoptr(GtkEntryCompletion) completion = gtk_entry_completion_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->lessons = g_list_store_new (ZH_TYPE_LESSON_ITEM);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->lessons)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (self->selection));

  self->topic_entry = make_entry (self, _("Topic of the lesson"));
  self->homework_entry = make_entry (self, _("Homework"));
  self->completions = gtk_list_store_new (1, G_TYPE_STRING);
  gtk_entry_completion_set_model (completion, GTK_TREE_MODEL (self->completions));
  gtk_entry_completion_set_text_column (completion, 0);
  gtk_entry_completion_set_match_func (completion, completion_match_cb, NULL, NULL);
  gtk_entry_completion_set_minimum_key_length (completion, 1);
  gtk_entry_set_completion (self->topic_entry, completion);

  add_column (self, ZH_LESSONS_COLUMN_DATE, C_("lessons column", "Date"), FALSE, 100);
  /* Translators: the lesson's number in the day */
  add_column (self, ZH_LESSONS_COLUMN_NUMBER, C_("lessons column", "No."), FALSE, 44);
  add_column (self, ZH_LESSONS_COLUMN_TOPIC, C_("lessons column", "Topic"), TRUE, -1);
  add_column (self, ZH_LESSONS_COLUMN_HOMEWORK, C_("lessons column", "Homework"), TRUE, -1);
  add_column (self, ZH_LESSONS_COLUMN_KIND, C_("lessons column", "Kind"), FALSE, 170);
  add_column (self, ZH_LESSONS_COLUMN_SUBSTITUTE, C_("lessons column", "Substitute"), FALSE, 150);
  add_column (self, ZH_LESSONS_COLUMN_TOPIC_STATUS, C_("lessons column", "Topic entered"), FALSE,
              130);
  add_column (self, ZH_LESSONS_COLUMN_HOMEWORK_STATUS, C_("lessons column", "Homework entered"),
              FALSE, 140);
  /* Translators: the column of the sync state (a dot), as narrow as can be */
  add_column (self, ZH_LESSONS_COLUMN_STATE, C_("lessons column", "Sync"), FALSE, 44);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lessons.add-lesson", FALSE);
}

/* ---- for the tests --------------------------------------------------------------------------- */

/* _zh_lessons_page_get_lessons: (transfer none): the rows (ZhLessonItem), made now if they were
 * waiting for the page to be shown. */
GListModel *
_zh_lessons_page_get_lessons (ZhLessonsPage *self)
{
  ensure_lessons (self);
  return G_LIST_MODEL (self->lessons);
}

/* _zh_lessons_page_edit: starts editing the row at @position, as Enter or F2 on it does. */
void
_zh_lessons_page_edit (ZhLessonsPage *self,
                       guint          position)
{
  start_edit (self, position);
}

/* _zh_lessons_page_is_editing: whether a row shows the entries. */
gboolean
_zh_lessons_page_is_editing (ZhLessonsPage *self)
{
  return self->editing != NULL;
}

/* _zh_lessons_page_is_busy: whether a worker or an edit is under way. */
gboolean
_zh_lessons_page_is_busy (ZhLessonsPage *self)
{
  return self->busy;
}

/* _zh_lessons_page_get_topic_entry: (transfer none): the topic's entry. */
GtkEntry *
_zh_lessons_page_get_topic_entry (ZhLessonsPage *self)
{
  return self->topic_entry;
}

/* _zh_lessons_page_get_homework_entry: (transfer none): the homework's entry. */
GtkEntry *
_zh_lessons_page_get_homework_entry (ZhLessonsPage *self)
{
  return self->homework_entry;
}

/* _zh_lessons_page_get_completions: (transfer none): the topic completion's rows. */
GtkTreeModel *
_zh_lessons_page_get_completions (ZhLessonsPage *self)
{
  return GTK_TREE_MODEL (self->completions);
}

/* _zh_lessons_page_get_last_toast: (nullable): the text of the last toast shown. */
const char *
_zh_lessons_page_get_last_toast (ZhLessonsPage *self)
{
  return self->last_toast;
}

/* _zh_lessons_page_get_dialog: (transfer none) (nullable): the add-lesson dialog shown. */
AdwMessageDialog *
_zh_lessons_page_get_dialog (ZhLessonsPage *self)
{
  return self->dialog;
}

/* _zh_lessons_page_get_free_slots: (transfer none) (nullable): the dates the last add-lesson
 * dialog offered (ZhLessonsFreeSlot). */
GPtrArray *
_zh_lessons_page_get_free_slots (ZhLessonsPage *self)
{
  return self->free_slots;
}

/* _zh_lessons_page_get_date_dropdown: (transfer none) (nullable): the dialog's dates. */
GtkDropDown *
_zh_lessons_page_get_date_dropdown (ZhLessonsPage *self)
{
  return self->date_dropdown;
}
