/* zh-journal-model.c: a journal page as a ZhGridModel. */
#define G_LOG_DOMAIN "zh-journal-model"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "zh-journal-model.h"

typedef struct
{
  ZhJournalSummary kind;
  guint            term;   /* ZH_JOURNAL_SUMMARY_TERM: the index into page->periods */
  const char      *title;  /* in chunk */
  const char      *label;  /* in chunk */
  const char      *key;    /* in chunk: zh_journal_period_mark_key of a mark's column, else NULL */
} Summary;

typedef struct
{
  const char *band;
  const char *title;
  const char *marker;
  const char *label;
} Column;

struct _ZhJournalModel
{
  GObject        parent_instance;

  ZhJournalPage *page;
  GStringChunk  *texts;        /* every text handed out, each kept once */
  const char   **cell_texts;   /* n_rows × n_lessons; NULL for an empty cell */
  guint8        *cell_flags;   /* n_rows × n_lessons: ZhGridCellFlags other than the sync state */
  const char   **row_titles;
  Column        *columns;
  Summary       *summaries;
  guint          n_summaries;
  const char   **summary_texts; /* n_rows × n_summaries */

  ZhJournalCellStateFunc state_func;
  gpointer               state_data;
  GDestroyNotify         state_destroy;
};

static void zh_journal_model_iface_init (ZhGridModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZhJournalModel, zh_journal_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZH_TYPE_GRID_MODEL,
                                                      zh_journal_model_iface_init))

/* The month over a journal's columns, in the nominative: «ноябрь». */
static const char * const months[] = {
  NC_("month", "January"), NC_("month", "February"), NC_("month", "March"),
  NC_("month", "April"), NC_("month", "May"), NC_("month", "June"), NC_("month", "July"),
  NC_("month", "August"), NC_("month", "September"), NC_("month", "October"),
  NC_("month", "November"), NC_("month", "December"),
};

/* zh_journal_format_average: (transfer full): an average as the journal shows it, «4,13». */
char *
zh_journal_format_average (double average)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  GString *text = g_string_new (g_ascii_formatd (buffer, sizeof buffer, "%.2f", average));
  char *dot = strchr (text->str, '.');

  if (dot != NULL)
    {
      gsize at = dot - text->str;

      /* Translators: the decimal separator of averages: «4,13» */
      g_string_erase (text, at, 1);
      g_string_insert (text, at, C_("decimal separator", "."));
    }
  return g_string_free (text, FALSE);
}

static const char *
mark_text (ZhJournalModel *self,
           const char     *value)
{
  const char *text = zh_policy_get_mark_text (self->page->policy, value);

  return text != NULL ? text : value;
}

/* «5», «4/5» (the halves of a double mark, 002 §5.2), «5 4» (two marks), «оп 5» (late, and a
 * mark); a thin space keeps the cell narrow. */
static const char *
compose_cell (ZhJournalModel      *self,
              const ZhJournalCell *cell,
              GString             *scratch)
{
  const ZhJournalPage *page = self->page;
  const ZhJournalMark *marks = zh_journal_page_get_marks (page, cell);

  g_string_truncate (scratch, 0);
  if (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE)
    {
      const char *letter = zh_policy_get_attendance_text (page->policy, cell->attendance);

      g_string_append (scratch, letter != NULL ? letter : "?");
    }
  for (guint i = 0; i < cell->n_marks; i++)
    {
      if (i > 0 && marks[i].part == 2 && marks[i - 1].part == 1)
        g_string_append_c (scratch, '/');
      else if (scratch->len > 0)
        g_string_append (scratch, "\u2009");
      g_string_append (scratch, mark_text (self, marks[i].value));
    }
  return scratch->len > 0 ? g_string_chunk_insert_const (self->texts, scratch->str) : NULL;
}

static const char *
chunk_printf (GStringChunk *chunk,
              const char   *format,
              ...) G_GNUC_PRINTF (2, 3);

static const char *
chunk_printf (GStringChunk *chunk,
              const char   *format,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return g_string_chunk_insert_const (chunk, text);
}

static void
add_summary (GArray           *summaries,
             GStringChunk     *chunk,
             ZhJournalSummary  kind,
             guint             term,
             const char       *title,
             const char       *label)
{
  Summary s = { kind, term, g_string_chunk_insert_const (chunk, title),
                g_string_chunk_insert_const (chunk, label), NULL };

  g_array_append_val (summaries, s);
}

static const char *
period_column_title (ZhPeriodKind kind)
{
  switch (kind)
    {
    case ZH_PERIOD_KIND_QUARTER: return C_("column", "Qtr");
    case ZH_PERIOD_KIND_TRIMESTER: return C_("column", "Trim");
    case ZH_PERIOD_KIND_HALF: return C_("column", "Half");
    case ZH_PERIOD_KIND_MODULE: return C_("column", "Mod");
    default: g_return_val_if_reached ("");
    }
}

/* zh_journal_period_mark_key: (transfer full): how the sync state of a period mark's cell is
 * asked for: "period_mark:<group_id>:<kind nick>:<period_id or empty>". */
char *
zh_journal_period_mark_key (const char        *group_id,
                            ZhPeriodMarkKind   kind,
                            const char        *period_id)
{
  g_return_val_if_fail (group_id != NULL, NULL);

  return g_strdup_printf ("period_mark:%s:%s:%s", group_id,
                          zh_enum_to_nick (ZH_TYPE_PERIOD_MARK_KIND, kind),
                          period_id != NULL ? period_id : "");
}

/* The period mark a summary column holds: FALSE for the calculated ones. */
static gboolean
summary_period_mark (const ZhJournalPage *page,
                     const Summary       *s,
                     ZhPeriodMarkKind    *kind,
                     const char         **period_id)
{
  switch (s->kind)
    {
    case ZH_JOURNAL_SUMMARY_PERIOD_MARK:
      *kind = ZH_PERIOD_MARK_KIND_PERIOD;
      *period_id = page->period.id;
      return TRUE;
    case ZH_JOURNAL_SUMMARY_TERM:
      *kind = ZH_PERIOD_MARK_KIND_PERIOD;
      *period_id = page->periods[s->term].id;
      return TRUE;
    case ZH_JOURNAL_SUMMARY_YEAR:
      *kind = ZH_PERIOD_MARK_KIND_YEAR;
      *period_id = NULL;
      return TRUE;
    case ZH_JOURNAL_SUMMARY_EXAM:
      *kind = ZH_PERIOD_MARK_KIND_EXAM;
      *period_id = NULL;
      return TRUE;
    case ZH_JOURNAL_SUMMARY_FINAL:
      *kind = ZH_PERIOD_MARK_KIND_FINAL;
      *period_id = NULL;
      return TRUE;
    case ZH_JOURNAL_SUMMARY_COUNT:
    case ZH_JOURNAL_SUMMARY_AVERAGE:
    case ZH_JOURNAL_SUMMARY_SUGGESTED:
    default:
      return FALSE;
    }
}

static void
build_summaries (ZhJournalModel *self)
{
  const ZhJournalPage *page = self->page;
  g_autoptr(GArray) summaries = g_array_new (FALSE, FALSE, sizeof (Summary));

  /* Translators: a summary column of the journal: the number of marks */
  add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_COUNT, 0, C_("column", "Marks"),
               _("number of marks"));
  /* Translators: a summary column of the journal: the weighted average */
  add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_AVERAGE, 0, C_("column", "Avg"),
               _("weighted average"));
  /* Translators: a summary column of the journal: the mark the average suggests */
  add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_SUGGESTED, 0, C_("column", "Sugg"),
               _("suggested mark"));
  if (page->period.id != NULL)
    {
      g_autofree char *label = g_strdup_printf (_("mark for %s"), page->period.label);

      add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_PERIOD_MARK, 0,
                   period_column_title (page->period.kind), label);
    }
  else
    {
      for (guint p = 0; p < page->n_periods; p++)
        {
          g_autofree char *label = g_strdup_printf (_("mark for %s"), page->periods[p].label);

          add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_TERM, p,
                       page->periods[p].short_label, label);
        }
      add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_YEAR, 0, C_("column", "Year"),
                   _("year mark"));
      if (page->has_exam)
        /* Translators: the state exam column (ГИА) */
        add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_EXAM, 0, C_("column", "Exam"),
                     _("state exam mark"));
      if (page->has_final)
        /* Translators: the final mark column (Итог) */
        add_summary (summaries, self->texts, ZH_JOURNAL_SUMMARY_FINAL, 0, C_("column", "Final"),
                     _("final mark"));
    }
  self->n_summaries = summaries->len;
  self->summaries = (Summary *) g_array_free (g_steal_pointer (&summaries), FALSE);
  for (guint i = 0; i < self->n_summaries; i++)
    {
      ZhPeriodMarkKind kind;
      const char *period_id;

      if (summary_period_mark (page, &self->summaries[i], &kind, &period_id))
        {
          g_autofree char *key = zh_journal_period_mark_key (page->info.group_id, kind, period_id);

          self->summaries[i].key = g_string_chunk_insert_const (self->texts, key);
        }
    }
}

static const char *
summary_text (ZhJournalModel     *self,
              const ZhJournalRow *row,
              const Summary      *s)
{
  const char *value = NULL;

  switch (s->kind)
    {
    case ZH_JOURNAL_SUMMARY_COUNT:
      return row->n_marks > 0 ? chunk_printf (self->texts, "%u", row->n_marks) : NULL;
    case ZH_JOURNAL_SUMMARY_AVERAGE:
      if (row->has_average)
        {
          g_autofree char *text = zh_journal_format_average (row->average);

          return g_string_chunk_insert_const (self->texts, text);
        }
      return NULL;
    case ZH_JOURNAL_SUMMARY_SUGGESTED:
      value = row->suggested;
      break;
    case ZH_JOURNAL_SUMMARY_PERIOD_MARK:
    case ZH_JOURNAL_SUMMARY_YEAR:
      value = row->period_mark;
      break;
    case ZH_JOURNAL_SUMMARY_TERM:
      value = row->term_marks[s->term];
      break;
    case ZH_JOURNAL_SUMMARY_EXAM:
      value = row->exam_mark;
      break;
    case ZH_JOURNAL_SUMMARY_FINAL:
      value = row->final_mark;
      break;
    default:
      g_assert_not_reached ();
    }
  return value != NULL ? g_string_chunk_insert_const (self->texts, mark_text (self, value)) : NULL;
}

static void
build_columns (ZhJournalModel *self)
{
  const ZhJournalPage *page = self->page;

  self->columns = g_new0 (Column, MAX (page->n_lessons, 1));
  for (guint c = 0; c < page->n_lessons; c++)
    {
      const ZhJournalLesson *lesson = &page->lessons[c];
      Column *column = &self->columns[c];
      int year = 0, month = 0, day = 0;

      sscanf (lesson->date, "%d-%d-%d", &year, &month, &day);
      if (month >= 1 && month <= 12)
        column->band = g_string_chunk_insert_const (self->texts,
                                                    g_dpgettext2 (GETTEXT_PACKAGE, "month",
                                                                  months[month - 1]));
      else
        column->band = "";
      column->title = chunk_printf (self->texts, "%d", day);
      column->marker = zh_journal_lesson_kind_marker (lesson->kind);
      if (column->marker != NULL)
        column->label = chunk_printf (self->texts, "%02d.%02d, %s", day, month,
                                      zh_journal_lesson_kind_title (lesson->kind));
      else
        column->label = chunk_printf (self->texts, "%02d.%02d", day, month);
    }
}

static void
build (ZhJournalModel *self)
{
  const ZhJournalPage *page = self->page;
  g_autoptr(GString) scratch = g_string_new (NULL);
  gsize n_cells = (gsize) page->n_rows * page->n_lessons;

  self->texts = g_string_chunk_new (8 * 1024);
  self->cell_texts = g_new0 (const char *, MAX (n_cells, 1));
  self->cell_flags = g_new0 (guint8, MAX (n_cells, 1));
  for (gsize i = 0; i < n_cells; i++)
    {
      const ZhJournalCell *cell = &page->cells[i];

      self->cell_texts[i] = compose_cell (self, cell, scratch);
      if (!(cell->flags & ZH_JOURNAL_CELL_MEMBER))
        self->cell_flags[i] = ZH_GRID_CELL_DISABLED;
      if (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE)
        self->cell_flags[i] |= ZH_GRID_CELL_CODE;
      /* Marks of the heavy forms of control (tests, dictations: weight 2 and more) stand out. */
      for (guint m = 0; m < cell->n_marks; m++)
        if (page->marks[cell->first_mark + m].weight >= 2)
          self->cell_flags[i] |= ZH_GRID_CELL_EMPHASIS;
    }

  self->row_titles = g_new0 (const char *, MAX (page->n_rows, 1));
  for (guint r = 0; r < page->n_rows; r++)
    self->row_titles[r] = chunk_printf (self->texts, "%s %s", page->rows[r].last_name,
                                        page->rows[r].first_name);

  build_columns (self);
  build_summaries (self);
  self->summary_texts = g_new0 (const char *, MAX ((gsize) page->n_rows * self->n_summaries, 1));
  for (guint r = 0; r < page->n_rows; r++)
    for (guint s = 0; s < self->n_summaries; s++)
      self->summary_texts[(gsize) r * self->n_summaries + s] =
        summary_text (self, &page->rows[r], &self->summaries[s]);
}

static guint
journal_get_n_rows (ZhGridModel *model)
{
  return ZH_JOURNAL_MODEL (model)->page->n_rows;
}

static guint
journal_get_n_columns (ZhGridModel *model)
{
  ZhJournalModel *self = ZH_JOURNAL_MODEL (model);

  return self->page->n_lessons + self->n_summaries;
}

static const char *
journal_get_row_header_title (ZhGridModel *model)
{
  /* Translators: the caption above the students' names */
  return _("Student");
}

static void
journal_get_row (ZhGridModel *model,
                 guint        row,
                 ZhGridRow   *out)
{
  ZhJournalModel *self = ZH_JOURNAL_MODEL (model);
  const ZhJournalRow *r = &self->page->rows[row];

  out->title = self->row_titles[row];
  out->number = row + 1;
  /* Left the group before the page's last day: their row is greyed, as a paper journal crosses
   * out nothing but writes «выбыл». */
  out->dimmed = r->date_to != NULL && strcmp (r->date_to, self->page->period.ends) < 0;
}

static void
journal_get_column (ZhGridModel  *model,
                    guint         column,
                    ZhGridColumn *out)
{
  ZhJournalModel *self = ZH_JOURNAL_MODEL (model);
  guint n_lessons = self->page->n_lessons;

  if (column >= n_lessons)
    {
      const Summary *s = &self->summaries[column - n_lessons];

      out->kind = ZH_GRID_COLUMN_SUMMARY;
      out->title = s->title;
      out->label = s->label;
      return;
    }
  out->kind = ZH_GRID_COLUMN_ORDINARY;
  out->band = self->columns[column].band;
  out->title = self->columns[column].title;
  out->marker = self->columns[column].marker;
  out->label = self->columns[column].label;
  out->emphasis = self->page->lessons[column].kind == ZH_LESSON_KIND_TEST;
}

static void
journal_get_cell (ZhGridModel *model,
                  guint        row,
                  guint        column,
                  ZhGridCell  *out)
{
  ZhJournalModel *self = ZH_JOURNAL_MODEL (model);
  guint n_lessons = self->page->n_lessons;
  gsize index;

  if (column >= n_lessons)
    {
      const Summary *s = &self->summaries[column - n_lessons];

      out->text = self->summary_texts[(gsize) row * self->n_summaries + (column - n_lessons)];
      out->flags = s->kind == ZH_JOURNAL_SUMMARY_PERIOD_MARK ||
                   s->kind == ZH_JOURNAL_SUMMARY_YEAR ||
                   s->kind == ZH_JOURNAL_SUMMARY_FINAL
                     ? ZH_GRID_CELL_EMPHASIS : ZH_GRID_CELL_NORMAL;
      if (self->state_func != NULL && s->key != NULL && out->text != NULL)
        out->flags |= self->state_func (self->page->rows[row].student_id, s->key,
                                        self->state_data);
      return;
    }
  index = (gsize) row * n_lessons + column;
  out->text = self->cell_texts[index];
  out->flags = self->cell_flags[index];
  if (self->state_func != NULL && out->text != NULL)
    out->flags |= self->state_func (self->page->rows[row].student_id,
                                    self->page->lessons[column].id, self->state_data);
}

static char *
journal_get_cell_tooltip (ZhGridModel *model,
                          guint        row,
                          guint        column)
{
  ZhJournalModel *self = ZH_JOURNAL_MODEL (model);
  const ZhJournalPage *page = self->page;
  const ZhJournalCell *cell;
  const ZhJournalMark *marks;
  GString *text;

  if (column >= page->n_lessons)
    return NULL;
  cell = zh_journal_page_get_cell (page, row, column);
  marks = zh_journal_page_get_marks (page, cell);
  text = g_string_new (NULL);
  if (!(cell->flags & ZH_JOURNAL_CELL_MEMBER))
    g_string_append (text, _("Not in the group on this day"));
  if (cell->flags & ZH_JOURNAL_CELL_ATTENDANCE)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s — %s",
                              zh_policy_get_attendance_text (page->policy, cell->attendance),
                              zh_journal_attendance_title (cell->attendance));
    }
  for (guint i = 0; i < cell->n_marks; i++)
    {
      const ZhJournalMark *m = &marks[i];
      const char *title = NULL;
      g_autofree char *weight = g_strdup_printf ("%g", m->weight);
      g_autofree char *time = zh_journal_format_time (page->policy, m->entered_at);
      char *dot = strchr (weight, '.');

      if (dot != NULL)
        *dot = ',';
      if (!zh_policy_lookup_work_type (page->policy, m->work_type, &title, NULL, NULL))
        title = m->work_type;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: a mark's tooltip: «5 — Контрольная работа, вес 2, 14.11.2026 10:32, Петрова
       * А. С.» */
      g_string_append_printf (text, _("%s — %s, weight %s, %s, %s"), mark_text (self, m->value),
                              title, weight, time, m->entered_by);
      if (m->comment != NULL && m->comment[0] != '\0')
        g_string_append_printf (text, " (%s)", m->comment);
    }
  if (cell->flags & ZH_JOURNAL_CELL_CORRECTED)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, _("A mark here was corrected; the cell’s history has the reason and "
                               "the document."));
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

static void
zh_journal_model_iface_init (ZhGridModelInterface *iface)
{
  iface->get_n_rows = journal_get_n_rows;
  iface->get_n_columns = journal_get_n_columns;
  iface->get_row_header_title = journal_get_row_header_title;
  iface->get_row = journal_get_row;
  iface->get_column = journal_get_column;
  iface->get_cell = journal_get_cell;
  iface->get_cell_tooltip = journal_get_cell_tooltip;
}

static void
zh_journal_model_finalize (GObject *object)
{
  ZhJournalModel *self = ZH_JOURNAL_MODEL (object);

  if (self->state_destroy != NULL)
    self->state_destroy (self->state_data);
  g_free (self->cell_texts);
  g_free (self->cell_flags);
  g_free (self->row_titles);
  g_free (self->columns);
  g_free (self->summaries);
  g_free (self->summary_texts);
  if (self->texts != NULL)
    g_string_chunk_free (self->texts);
  g_clear_pointer (&self->page, zh_journal_page_unref);

  G_OBJECT_CLASS (zh_journal_model_parent_class)->finalize (object);
}

static void
zh_journal_model_class_init (ZhJournalModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zh_journal_model_finalize;
}

static void
zh_journal_model_init (ZhJournalModel *self)
{
}

/* zh_journal_model_new: a grid model showing @page (a reference is taken). */
ZhJournalModel *
zh_journal_model_new (ZhJournalPage *page)
{
  ZhJournalModel *self;

  g_return_val_if_fail (page != NULL, NULL);

  self = g_object_new (ZH_TYPE_JOURNAL_MODEL, NULL);
  self->page = zh_journal_page_ref (page);
  build (self);
  return self;
}

/* zh_journal_model_get_page: (transfer none): the page shown. */
ZhJournalPage *
zh_journal_model_get_page (ZhJournalModel *self)
{
  g_return_val_if_fail (ZH_IS_JOURNAL_MODEL (self), NULL);

  return self->page;
}

/* zh_journal_model_get_n_summaries: how many summary columns follow the lessons. */
guint
zh_journal_model_get_n_summaries (ZhJournalModel *self)
{
  g_return_val_if_fail (ZH_IS_JOURNAL_MODEL (self), 0);

  return self->n_summaries;
}

/* zh_journal_model_get_summary: what the summary column @column (counted from the first summary
 * column) holds; @term is set to the period index of a TERM column. */
ZhJournalSummary
zh_journal_model_get_summary (ZhJournalModel *self,
                              guint           column,
                              guint          *term)
{
  g_return_val_if_fail (ZH_IS_JOURNAL_MODEL (self), ZH_JOURNAL_SUMMARY_COUNT);
  g_return_val_if_fail (column < self->n_summaries, ZH_JOURNAL_SUMMARY_COUNT);

  if (term != NULL)
    *term = self->summaries[column].term;
  return self->summaries[column].kind;
}

/* zh_journal_model_get_period_mark: whether the summary column @column (counted from the first
 * summary column) holds a mark the teacher gives — the period's, a period's on a year page, the
 * year's, ГИА or Итог — and which: its @kind and @period_id (NULL but for a period's mark, owned
 * by the page). FALSE for the calculated columns: count, average, suggested mark. */
gboolean
zh_journal_model_get_period_mark (ZhJournalModel    *self,
                                  guint              column,
                                  ZhPeriodMarkKind  *kind,
                                  const char       **period_id)
{
  ZhPeriodMarkKind k = ZH_PERIOD_MARK_KIND_PERIOD;
  const char *p = NULL;

  g_return_val_if_fail (ZH_IS_JOURNAL_MODEL (self), FALSE);
  g_return_val_if_fail (column < self->n_summaries, FALSE);

  if (!summary_period_mark (self->page, &self->summaries[column], &k, &p))
    return FALSE;
  if (kind != NULL)
    *kind = k;
  if (period_id != NULL)
    *period_id = p;
  return TRUE;
}

/* zh_journal_model_set_state_func: how the model learns the sync state of a cell (the outbox of
 * the offline copy); without one every cell is drawn plainly. Notifies the grid that every cell
 * may have changed. */
void
zh_journal_model_set_state_func (ZhJournalModel         *self,
                                 ZhJournalCellStateFunc  func,
                                 gpointer                user_data,
                                 GDestroyNotify          destroy)
{
  g_return_if_fail (ZH_IS_JOURNAL_MODEL (self));

  if (self->state_destroy != NULL)
    self->state_destroy (self->state_data);
  self->state_func = func;
  self->state_data = user_data;
  self->state_destroy = destroy;
  if (self->page->n_rows > 0 && self->page->n_lessons + self->n_summaries > 0)
    zh_grid_model_cells_changed (ZH_GRID_MODEL (self), 0, 0, self->page->n_rows,
                                 self->page->n_lessons + self->n_summaries);
}
