/* zh-bench-frames.c: frame timing of a ZhGrid in a real window (bench-grid, bench-journal). */
#define G_LOG_DOMAIN "zh-bench"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "zh-bench-frames.h"
#include "zh-grid-private.h"

static void
before_paint_cb (GdkFrameClock *clock,
                 ZhBenchFrames *frames)
{
  frames->frame_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                ZhBenchFrames *frames)
{
  frames->frame_end = g_get_monotonic_time ();
  frames->n_frames++;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* zh_bench_frames_watch: time every frame of @window's frame clock into @frames; a 5 ms wake-up
 * keeps the main loop turning while the benches wait for frames. */
void
zh_bench_frames_watch (ZhBenchFrames *frames,
                       GtkWidget     *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_timeout_add (5, wake_cb, NULL);
  g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), frames);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (after_paint_cb), frames);
}

/* zh_bench_wait_grid_frame: run the main loop until a frame that repainted the grid has ended;
 * exit with a message naming @program if none comes within 5 s. */
void
zh_bench_wait_grid_frame (ZhBenchFrames *frames,
                          const char    *program)
{
  ZhGridStats stats;
  guint snapshots;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  _zh_grid_get_stats (frames->grid, &stats);
  snapshots = stats.n_snapshots;
  for (;;)
    {
      guint n = frames->n_frames;

      while (frames->n_frames == n)
        {
          g_main_context_iteration (NULL, TRUE);
          if (g_get_monotonic_time () > deadline)
            {
              g_printerr ("%s: no frame painted the grid within 5 s\n", program);
              exit (1);
            }
        }
      _zh_grid_get_stats (frames->grid, &stats);
      if (stats.n_snapshots != snapshots)
        return;
    }
}

/* zh_bench_spin: run the main loop for @msec milliseconds. */
void
zh_bench_spin (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* zh_bench_percentile: the @p-th percentile (0–100, nearest rank) of @values, doubles. */
double
zh_bench_percentile (GArray *values,
                     double  p)
{
  g_autoptr(GArray) sorted = g_array_copy (values);
  guint index;

  if (sorted->len == 0)
    return NAN;
  g_array_sort (sorted, compare_double);
  /* Nearest rank: ⌈p/100 × n⌉, the first value for p = 0 (the minimum). */
  index = (guint) MAX (ceil (p / 100.0 * sorted->len), 1.0) - 1;
  return g_array_index (sorted, double, MIN (index, sorted->len - 1));
}
