/* zh-grid-fake-model.h: a made-up class journal page for testing and measuring ZhGrid alone.
 *
 * Students with Russian names, a lesson a school day from 1 September, a test («К») every tenth
 * lesson and lab work («Л») now and then; about 70 % of the cells empty, the rest marks 2–5, «н»,
 * «б» and double marks («4/5»), a few waiting to be sent, one refused, one in conflict; one
 * student arrived late (cells before greyed) and one has left (dimmed). Four summary columns at
 * the right: number of marks, weighted average, suggested mark, period mark. The same seed gives
 * the same page.
 */
#pragma once

#include "zh-grid-model.h"

G_BEGIN_DECLS

#define ZH_TYPE_GRID_FAKE_MODEL (zh_grid_fake_model_get_type ())
G_DECLARE_FINAL_TYPE (ZhGridFakeModel, zh_grid_fake_model, ZH, GRID_FAKE_MODEL, GObject)

#define ZH_GRID_FAKE_N_SUMMARY 4

ZhGridFakeModel *zh_grid_fake_model_new          (guint            n_students,
                                                  guint            n_lessons,
                                                  guint32          seed);
guint            zh_grid_fake_model_get_n_lessons (ZhGridFakeModel *self);
/* Sets one lesson cell and emits cells-changed for it. */
void             zh_grid_fake_model_set_cell     (ZhGridFakeModel *self,
                                                  guint            student,
                                                  guint            lesson,
                                                  const char      *text,
                                                  ZhGridCellFlags  flags);
/* Adds students at the end and emits structure-changed. */
void             zh_grid_fake_model_add_students (ZhGridFakeModel *self,
                                                  guint            n_students);

G_END_DECLS
