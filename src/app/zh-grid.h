/* zh-grid.h: the journal grid — one widget that draws a ZhGridModel as a dense, calm table.
 *
 * Rows are students (or report lines), columns are lessons (or report columns), cells hold marks
 * and attendance codes. The row headers (names) stay at the left, the header row at the top and
 * the summary columns at the right while the rest scrolls; only the visible cells are drawn. The
 * grid is a GtkScrollable: put it straight into a GtkScrolledWindow. It owns a cursor cell and
 * turns keys into movements and into the signals ZhGrid::cell-input, ::cell-delete and ::cell-activate;
 * what an input means is the application's business.
 */
#pragma once

#include <gtk/gtk.h>

#include "zh-grid-model.h"

G_BEGIN_DECLS

#define ZH_TYPE_GRID (zh_grid_get_type ())
G_DECLARE_FINAL_TYPE (ZhGrid, zh_grid, ZH, GRID, GtkWidget)

GtkWidget   *zh_grid_new               (void);
ZhGridModel *zh_grid_get_model         (ZhGrid          *self);
void         zh_grid_set_model         (ZhGrid          *self,
                                        ZhGridModel     *model);
gboolean     zh_grid_get_cursor        (ZhGrid          *self,
                                        guint           *row,
                                        guint           *column);
void         zh_grid_set_cursor        (ZhGrid          *self,
                                        guint            row,
                                        guint            column);
gboolean     zh_grid_move_cursor       (ZhGrid          *self,
                                        GtkMovementStep  step,
                                        int              count);
gboolean     zh_grid_get_visible_range (ZhGrid          *self,
                                        guint           *row_begin,
                                        guint           *row_end,
                                        guint           *column_begin,
                                        guint           *column_end);
gboolean     zh_grid_get_cell_area     (ZhGrid          *self,
                                        int              row,
                                        int              column,
                                        GdkRectangle    *area);

G_END_DECLS
