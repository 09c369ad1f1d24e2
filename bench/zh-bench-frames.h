/* zh-bench-frames.h: frame timing of a ZhGrid in a real window, shared by bench-grid and
 * bench-journal. */
#pragma once

#include <gtk/gtk.h>

#include "zh-grid.h"

G_BEGIN_DECLS

typedef struct
{
  ZhGrid *grid;
  gint64  frame_start;   /* monotonic µs of the last frame's before-paint */
  gint64  frame_end;     /* and of its after-paint */
  guint   n_frames;
} ZhBenchFrames;

void   zh_bench_frames_watch     (ZhBenchFrames *frames,
                                  GtkWidget     *window);
void   zh_bench_wait_grid_frame  (ZhBenchFrames *frames,
                                  const char    *program);
void   zh_bench_spin             (guint          msec);
double zh_bench_percentile       (GArray        *values,
                                  double         p);

G_END_DECLS
