/* zh-cell-popover.h: ZhCellPopover — a mark's details at its cell: the form of control with its
 * weight, a comment, the second part of a double mark (002 §5.2). */
#pragma once

#include <gtk/gtk.h>

#include "zh-journal.h"

G_BEGIN_DECLS

#define ZH_TYPE_CELL_POPOVER (zh_cell_popover_get_type ())
G_DECLARE_FINAL_TYPE (ZhCellPopover, zh_cell_popover, ZH, CELL_POPOVER, GtkPopover)

GtkWidget  *zh_cell_popover_new            (void);
void        zh_cell_popover_set_cell       (ZhCellPopover        *self,
                                            ZhPolicy             *policy,
                                            const char           *title,
                                            const ZhJournalMark  *mark,
                                            const char           *work_type);
const char *zh_cell_popover_get_mark_id    (ZhCellPopover        *self);
const char *zh_cell_popover_get_value      (ZhCellPopover        *self);
const char *zh_cell_popover_get_second_value (ZhCellPopover      *self);
const char *zh_cell_popover_get_work_type  (ZhCellPopover        *self);
const char *zh_cell_popover_get_comment    (ZhCellPopover        *self);
void        zh_cell_popover_set_error      (ZhCellPopover        *self,
                                            const char           *message);
void        _zh_cell_popover_choose        (ZhCellPopover        *self,
                                            const char           *value,
                                            const char           *work_type,
                                            const char           *second_value,
                                            const char           *comment);

G_END_DECLS
