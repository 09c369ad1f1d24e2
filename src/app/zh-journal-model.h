/* zh-journal-model.h: a journal page (ZhJournalPage) as a ZhGridModel — what the journal grid
 * shows.
 *
 * Rows are the page's students («Иванова Анна», numbered), columns its lessons (month band, day,
 * a letter for the lesson kind, docs/journal.md) and then the summary columns: number of marks,
 * weighted average, suggested mark and the period mark; on a year page the marks of each period,
 * the year mark and, in grades 9 and 11, ГИА and Итог (000 §7.4). Cell texts follow the school's
 * policy («5», «зач», «н», «4/5» for a double mark) and are made once when the model is made.
 */
#pragma once

#include <glib-object.h>

#include "zh-grid-model.h"
#include "zh-journal.h"

G_BEGIN_DECLS

/* ZhJournalSummary: what a summary column holds. */
typedef enum
{
  ZH_JOURNAL_SUMMARY_COUNT,       /* «Отм.»: the number of marks */
  ZH_JOURNAL_SUMMARY_AVERAGE,     /* «Ср.»: the weighted average */
  ZH_JOURNAL_SUMMARY_SUGGESTED,   /* «Расч.»: the mark the average suggests */
  ZH_JOURNAL_SUMMARY_PERIOD_MARK, /* the period mark of a period page */
  ZH_JOURNAL_SUMMARY_TERM,        /* a year page: the mark of one of the periods */
  ZH_JOURNAL_SUMMARY_YEAR,        /* a year page: the year mark */
  ZH_JOURNAL_SUMMARY_EXAM,        /* ГИА, grade 9 */
  ZH_JOURNAL_SUMMARY_FINAL,       /* Итог, grades 9 and 11 */
} ZhJournalSummary;

/* ZhJournalCellStateFunc: the sync state of the cell of @student_id in @lesson_id
 * (ZH_GRID_CELL_WAITING, _SYNCED, _REJECTED, _CONFLICT), as the offline copy's outbox knows it.
 * For a period mark's cell @lesson_id is zh_journal_period_mark_key of the column's mark. */
typedef ZhGridCellFlags (*ZhJournalCellStateFunc) (const char *student_id,
                                                   const char *lesson_id,
                                                   gpointer    user_data);

#define ZH_TYPE_JOURNAL_MODEL (zh_journal_model_get_type ())
G_DECLARE_FINAL_TYPE (ZhJournalModel, zh_journal_model, ZH, JOURNAL_MODEL, GObject)

ZhJournalModel  *zh_journal_model_new              (ZhJournalPage          *page);
ZhJournalPage   *zh_journal_model_get_page         (ZhJournalModel         *self);
guint            zh_journal_model_get_n_summaries  (ZhJournalModel         *self);
ZhJournalSummary zh_journal_model_get_summary      (ZhJournalModel         *self,
                                                    guint                   column,
                                                    guint                  *term);
void             zh_journal_model_set_state_func   (ZhJournalModel         *self,
                                                    ZhJournalCellStateFunc  func,
                                                    gpointer                user_data,
                                                    GDestroyNotify          destroy);
gboolean         zh_journal_model_get_period_mark  (ZhJournalModel         *self,
                                                    guint                   column,
                                                    ZhPeriodMarkKind       *kind,
                                                    const char            **period_id);
char            *zh_journal_format_average         (double                  average);
char            *zh_journal_period_mark_key        (const char             *group_id,
                                                    ZhPeriodMarkKind        kind,
                                                    const char             *period_id);

G_END_DECLS
