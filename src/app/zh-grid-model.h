/* zh-grid-model.h: what a ZhGrid shows — rows with a header each, columns with a header each,
 * and a short text with a state in every cell.
 *
 * Journal pages and reports implement this interface; the grid only reads it. Every text a model
 * hands out (`const char *` in the structs below) belongs to the model and must stay valid until
 * the next call into the model: the grid copies what it keeps. A model tells the grid what changed
 * with zh_grid_model_cells_changed () (texts or states of a block of cells) or
 * zh_grid_model_structure_changed () (rows, columns or headers).
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* ZhGridCellFlags: how a cell is drawn besides its text; several may be set. */
typedef enum /*< flags >*/
{
  ZH_GRID_CELL_NORMAL   = 0,
  ZH_GRID_CELL_WAITING  = 1 << 0, /* saved on this computer, not yet sent: a small blue dot */
  ZH_GRID_CELL_SYNCED   = 1 << 1, /* the service has it: drawn plainly */
  ZH_GRID_CELL_REJECTED = 1 << 2, /* the service refused it: red tint and dot */
  ZH_GRID_CELL_CONFLICT = 1 << 3, /* changed here and there: orange tint and dot */
  ZH_GRID_CELL_EMPHASIS = 1 << 4, /* bold text (a mark for a test, a period mark) */
  ZH_GRID_CELL_DISABLED = 1 << 5, /* nothing may go here (not in the class that day): grey */
  ZH_GRID_CELL_CODE     = 1 << 6, /* the text's first word is a code, not a value (an attendance
                                   * code: «б» must not read as «6»): drawn in a lighter ink */
} ZhGridCellFlags;

/* ZhGridColumnKind: where a column sits. */
typedef enum
{
  ZH_GRID_COLUMN_ORDINARY, /* a lesson or a report column: scrolls sideways */
  ZH_GRID_COLUMN_SUMMARY,  /* count, average, period mark…: come last, kept at the right edge */
} ZhGridColumnKind;

/* ZhGridCell: one cell; text NULL or "" for an empty cell. */
typedef struct
{
  const char      *text;
  ZhGridCellFlags  flags;
} ZhGridCell;

/* ZhGridRow: a row header: the title («Иванова Анна»), an optional number (0 = none) and
 * whether the row is dimmed (a student who has left). */
typedef struct
{
  const char *title;
  guint       number;
  gboolean    dimmed;
} ZhGridRow;

/* ZhGridColumn: a column header. Consecutive columns with equal bands («ноябрь») share one band
 * caption above them; title («14») and marker («К» for a test) are its two lines; label is the
 * column's full name for screen readers and tooltips («14.11, контрольная работа»), title if NULL;
 * emphasis tints the whole column. */
typedef struct
{
  ZhGridColumnKind  kind;
  const char       *band;
  const char       *title;
  const char       *marker;
  const char       *label;
  gboolean          emphasis;
} ZhGridColumn;

#define ZH_TYPE_GRID_MODEL (zh_grid_model_get_type ())
G_DECLARE_INTERFACE (ZhGridModel, zh_grid_model, ZH, GRID_MODEL, GObject)

struct _ZhGridModelInterface
{
  GTypeInterface parent_iface;

  guint   (*get_n_rows)            (ZhGridModel  *self);
  guint   (*get_n_columns)         (ZhGridModel  *self);
  /* Optional: the caption above the row headers («Ученик»); NULL by default. */
  const char *(*get_row_header_title) (ZhGridModel *self);
  void    (*get_row)               (ZhGridModel  *self,
                                    guint         row,
                                    ZhGridRow    *out);
  void    (*get_column)            (ZhGridModel  *self,
                                    guint         column,
                                    ZhGridColumn *out);
  void    (*get_cell)              (ZhGridModel  *self,
                                    guint         row,
                                    guint         column,
                                    ZhGridCell   *out);
  /* Optional: what a cell holds in words («контрольная работа, вес 2»); NULL by default. */
  char   *(*get_cell_tooltip)      (ZhGridModel  *self,
                                    guint         row,
                                    guint         column);
};

guint        zh_grid_model_get_n_rows           (ZhGridModel  *self);
guint        zh_grid_model_get_n_columns        (ZhGridModel  *self);
const char  *zh_grid_model_get_row_header_title (ZhGridModel  *self);
void         zh_grid_model_get_row              (ZhGridModel  *self,
                                                 guint         row,
                                                 ZhGridRow    *out);
void         zh_grid_model_get_column           (ZhGridModel  *self,
                                                 guint         column,
                                                 ZhGridColumn *out);
void         zh_grid_model_get_cell             (ZhGridModel  *self,
                                                 guint         row,
                                                 guint         column,
                                                 ZhGridCell   *out);
char        *zh_grid_model_get_cell_tooltip     (ZhGridModel  *self,
                                                 guint         row,
                                                 guint         column);
void         zh_grid_model_cells_changed        (ZhGridModel  *self,
                                                 guint         row,
                                                 guint         column,
                                                 guint         n_rows,
                                                 guint         n_columns);
void         zh_grid_model_structure_changed    (ZhGridModel  *self);

G_END_DECLS
