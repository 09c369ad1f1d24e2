/* zh-grid-model.c: the interface a ZhGrid reads its rows, columns and cells from. */
#define G_LOG_DOMAIN "zh-grid"

#include "config.h"

#include "zh-grid-model.h"

enum
{
  CELLS_CHANGED,
  STRUCTURE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (ZhGridModel, zh_grid_model, G_TYPE_OBJECT)

static void
zh_grid_model_default_init (ZhGridModelInterface *iface)
{
  /**
   * ZhGridModel::cells-changed:
   * @row: the first changed row
   * @column: the first changed column
   * @n_rows: how many rows from @row changed
   * @n_columns: how many columns from @column changed
   *
   * Texts or states of a block of cells changed; rows, columns and headers did not.
   */
  signals[CELLS_CHANGED] =
    g_signal_new ("cells-changed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * ZhGridModel::structure-changed:
   *
   * Rows or columns were added or removed, or a row or column header changed.
   */
  signals[STRUCTURE_CHANGED] =
    g_signal_new ("structure-changed",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

/* zh_grid_model_get_n_rows: how many rows @self has (not counting the header row). */
guint
zh_grid_model_get_n_rows (ZhGridModel *self)
{
  g_return_val_if_fail (ZH_IS_GRID_MODEL (self), 0);

  return ZH_GRID_MODEL_GET_IFACE (self)->get_n_rows (self);
}

/* zh_grid_model_get_n_columns: how many columns @self has (not counting the row headers). */
guint
zh_grid_model_get_n_columns (ZhGridModel *self)
{
  g_return_val_if_fail (ZH_IS_GRID_MODEL (self), 0);

  return ZH_GRID_MODEL_GET_IFACE (self)->get_n_columns (self);
}

/* zh_grid_model_get_row_header_title: the caption above the row headers or NULL (transfer none). */
const char *
zh_grid_model_get_row_header_title (ZhGridModel *self)
{
  ZhGridModelInterface *iface;

  g_return_val_if_fail (ZH_IS_GRID_MODEL (self), NULL);

  iface = ZH_GRID_MODEL_GET_IFACE (self);
  return iface->get_row_header_title != NULL ? iface->get_row_header_title (self) : NULL;
}

/* zh_grid_model_get_row: fills @out with the header of @row; its texts stay the model's. */
void
zh_grid_model_get_row (ZhGridModel *self,
                       guint        row,
                       ZhGridRow   *out)
{
  g_return_if_fail (ZH_IS_GRID_MODEL (self));
  g_return_if_fail (out != NULL);

  *out = (ZhGridRow) { 0 };
  ZH_GRID_MODEL_GET_IFACE (self)->get_row (self, row, out);
}

/* zh_grid_model_get_column: fills @out with the header of @column; its texts stay the model's. */
void
zh_grid_model_get_column (ZhGridModel  *self,
                          guint         column,
                          ZhGridColumn *out)
{
  g_return_if_fail (ZH_IS_GRID_MODEL (self));
  g_return_if_fail (out != NULL);

  *out = (ZhGridColumn) { 0 };
  ZH_GRID_MODEL_GET_IFACE (self)->get_column (self, column, out);
}

/* zh_grid_model_get_cell: fills @out with the text and state of one cell. */
void
zh_grid_model_get_cell (ZhGridModel *self,
                        guint        row,
                        guint        column,
                        ZhGridCell  *out)
{
  g_return_if_fail (ZH_IS_GRID_MODEL (self));
  g_return_if_fail (out != NULL);

  *out = (ZhGridCell) { 0 };
  ZH_GRID_MODEL_GET_IFACE (self)->get_cell (self, row, column, out);
}

/* zh_grid_model_get_cell_tooltip: a cell's content in words, or NULL (transfer full). */
char *
zh_grid_model_get_cell_tooltip (ZhGridModel *self,
                                guint        row,
                                guint        column)
{
  ZhGridModelInterface *iface;

  g_return_val_if_fail (ZH_IS_GRID_MODEL (self), NULL);

  iface = ZH_GRID_MODEL_GET_IFACE (self);
  return iface->get_cell_tooltip != NULL ? iface->get_cell_tooltip (self, row, column) : NULL;
}

/* zh_grid_model_cells_changed: emits ZhGridModel::cells-changed; for implementations. */
void
zh_grid_model_cells_changed (ZhGridModel *self,
                             guint        row,
                             guint        column,
                             guint        n_rows,
                             guint        n_columns)
{
  g_return_if_fail (ZH_IS_GRID_MODEL (self));

  if (n_rows == 0 || n_columns == 0)
    return;
  g_signal_emit (self, signals[CELLS_CHANGED], 0, row, column, n_rows, n_columns);
}

/* zh_grid_model_structure_changed: emits ZhGridModel::structure-changed; for implementations. */
void
zh_grid_model_structure_changed (ZhGridModel *self)
{
  g_return_if_fail (ZH_IS_GRID_MODEL (self));

  g_signal_emit (self, signals[STRUCTURE_CHANGED], 0);
}
