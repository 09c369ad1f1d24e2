/* bench-journal: the journal window's figures of issue 6 on the demo school at scale 3.
 *
 * The demo school (scale 3, today 2026-11-23: 132 classes, ≈3,300 students, two years of journal)
 * is generated once into /tmp and reused (ZH_BENCH_DB names another file). Then:
 *   (a) choosing the largest page — the year page of last year with most students × lessons — to
 *       its first frame: zh_journal_page_load on a read-only store + ZhJournalModel +
 *       zh_grid_set_model + the frame that painted it; cold (first read) and when switching to it
 *       from a small page, and the twelve next largest pages, each read once (target ≤ 25 ms);
 *   (b) frame times while scrolling that page end to end both ways, one wheel step a frame
 *       (targets: p95 ≤ 16.7 ms, none over 25 ms under cairo);
 *   (c) this process's RSS with the deputy's page list and the page shown;
 *   (d) the real `zhurnal --database F --login deputy` from start to the first frame of the grid
 *       showing this year's largest page as a year page (restored from GSettings: the deputy's
 *       list holds this year's pages), run 6 times, the first one a warm-up, with its VmRSS and
 *       VmHWM (targets ≤ 300 ms warm, ≤ 150 MB).
 *
 *   xvfb-run -a -s '-screen 0 1600x1000x24' env GSK_RENDERER=cairo GDK_BACKEND=x11 \
 *     GTK_A11Y=none build/bench/bench-journal
 */
#define G_LOG_DOMAIN "bench-journal"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "zh-demo.h"
#include "zh-bench-frames.h"
#include "zh-grid-private.h"
#include "zh-journal-model.h"
#include "zh-window-private.h"

#define TODAY "2026-11-23"
#define SCALE 3.0

typedef struct
{
  GtkWindow *window;
  ZhBenchFrames f;
  GArray    *frame_ms;
} Bench;


static void
print_row (const char *what,
           GArray     *values,
           const char *target)
{
  printf ("%-44s %7.1f %7.1f %7.1f %5u   %s\n", what, zh_bench_percentile (values, 50),
          zh_bench_percentile (values, 95), zh_bench_percentile (values, 100), values->len, target);
}

static void
append_ms (GArray *values,
           gint64  usec)
{
  double ms = usec / 1000.0;

  g_array_append_val (values, ms);
}

typedef struct
{
  GArray *total;
  GArray *load;
  GArray *model;
  GArray *set_model;
  GArray *wait;
  GArray *frame;
} ShowTimes;

static void
show_times_init (ShowTimes *t)
{
  t->total = g_array_new (FALSE, FALSE, sizeof (double));
  t->load = g_array_new (FALSE, FALSE, sizeof (double));
  t->model = g_array_new (FALSE, FALSE, sizeof (double));
  t->set_model = g_array_new (FALSE, FALSE, sizeof (double));
  t->wait = g_array_new (FALSE, FALSE, sizeof (double));
  t->frame = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
show_times_clear (ShowTimes *t)
{
  g_array_unref (t->total);
  g_array_unref (t->load);
  g_array_unref (t->model);
  g_array_unref (t->set_model);
  g_array_unref (t->wait);
  g_array_unref (t->frame);
}

/* Choose a page: read it, make its model, give it to the grid, wait for the frame. */
static ZhJournalModel *
choose_page (Bench      *b,
             ZhStore    *store,
             const char *group,
             const char *period,
             ShowTimes  *times)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhJournalPage) page = NULL;
  ZhJournalModel *model;
  gint64 start = g_get_monotonic_time (), loaded, modelled, set;

  page = zh_journal_page_load (store, group, period, &error);
  if (page == NULL)
    g_error ("%s", error->message);
  loaded = g_get_monotonic_time ();
  model = zh_journal_model_new (page);
  modelled = g_get_monotonic_time ();
  zh_grid_set_model (b->f.grid, ZH_GRID_MODEL (model));
  set = g_get_monotonic_time ();
  zh_bench_wait_grid_frame (&b->f, "bench-journal");
  if (times != NULL)
    {
      append_ms (times->total, b->f.frame_end - start);
      append_ms (times->load, loaded - start);
      append_ms (times->model, modelled - loaded);
      append_ms (times->set_model, set - modelled);
      append_ms (times->wait, MAX (0, b->f.frame_start - set));
      append_ms (times->frame, b->f.frame_end - b->f.frame_start);
    }
  return model;
}

static void
print_show_times (const char *what,
                  ShowTimes  *t)
{
  print_row (what, t->total, "<= 25");
  print_row ("  zh_journal_page_load", t->load, "");
  print_row ("  zh_journal_model_new", t->model, "");
  print_row ("  zh_grid_set_model", t->set_model, "");
  print_row ("  waiting for the frame clock", t->wait, "");
  print_row ("  the frame (layout, snapshot, render)", t->frame, "");
}

/* One wheel step per frame from one end of @adjustment to the other. */
static void
scroll_through (Bench         *b,
                GtkAdjustment *adjustment,
                gboolean       forward)
{
  double page = gtk_adjustment_get_page_size (adjustment);
  double end = gtk_adjustment_get_upper (adjustment) - page;
  double step = pow (page, 2.0 / 3.0);
  double value = gtk_adjustment_get_value (adjustment);

  g_array_set_size (b->frame_ms, 0);
  for (;;)
    {
      double next = forward ? MIN (value + step, end) : MAX (value - step, 0);

      if (next <= value && forward)
        break;
      if (next >= value && !forward)
        break;
      gtk_adjustment_set_value (adjustment, next);
      value = next;
      zh_bench_wait_grid_frame (&b->f, "bench-journal");
      append_ms (b->frame_ms, b->f.frame_end - b->f.frame_start);
    }
}

static char *
status_line (const char *key)
{
  g_autofree char *status = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return g_strdup ("?");
  lines = g_strsplit (status, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], key))
      return g_strstrip (g_strdup (lines[i] + strlen (key)));
  return g_strdup ("?");
}

static void
progress_cb (double      fraction,
             const char *stage,
             gpointer    user_data)
{
  static int last = -1;

  if ((int) (fraction * 10) != last)
    {
      last = (int) (fraction * 10);
      g_printerr ("\rgenerating the demo school at scale 3: %3d %%", last * 10);
    }
}

static char *
ensure_school (void)
{
  const char *env = g_getenv ("ZH_BENCH_DB");
  char *path = g_strdup (env != NULL ? env : "/tmp/zhurnal-bench-demo-3-" TODAY ".sqlite");
  g_autofree char *partial = g_strconcat (path, ".partial", NULL);
  g_autoptr(GError) error = NULL;
  ZhDemoOptions options = { SCALE, 1, TODAY };
  ZhDemoStats stats;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return path;
  g_unlink (partial);
  {
    g_autoptr(ZhStore) store = zh_store_open (partial, ZH_STORE_FLAGS_BULK_LOAD, &error);

    if (store == NULL || !zh_demo_generate (store, &options, progress_cb, NULL, &stats, &error))
      g_error ("%s", error->message);
  }
  g_printerr ("\rgenerated the demo school at scale 3 in %.1f s\n", stats.seconds);
  if (g_rename (partial, path) != 0)
    g_error ("cannot rename %s", partial);
  return path;
}

static char *
query_text (ZhStore    *store,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (zh_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (zh_store_get_db (store)));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* (d): the real application, started @runs times; prints the figures it reports. */
static void
run_application (const char *db_path,
                 const char *group,
                 guint       runs)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bench_dir = g_path_get_dirname (exe);
  g_autofree char *app = g_build_filename (bench_dir, "..", "src", "app", "zhurnal", NULL);
  g_autofree char *schemas = g_build_filename (bench_dir, "..", "data", NULL);
  g_autofree char *config = g_dir_make_tmp ("zhurnal-bench-XXXXXX", NULL);
  g_autofree char *settings_dir = g_build_filename (config, "glib-2.0", "settings", NULL);
  g_autofree char *keyfile = g_build_filename (settings_dir, "keyfile", NULL);
  g_autofree char *settings = g_strdup_printf ("[io/github/zhurnal/Zhurnal]\nlast-group='%s'\n"
                                               "last-period='year'\n", group);
  g_autoptr(GArray) startup = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) load = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) window = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) listed = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) hwm = g_array_new (FALSE, FALSE, sizeof (double));
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { app, "--database", db_path, "--login", "deputy", NULL };

  /* The page to restore comes from a keyfile settings backend, as a person's last page would. */
  g_mkdir_with_parents (settings_dir, 0700);
  g_file_set_contents (keyfile, settings, -1, NULL);
  env = g_environ_setenv (env, "ZH_BENCH_STARTUP", "1", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);

  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_auto(GStrv) lines = NULL;
      int status;

      if (!g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                         NULL, &status, &error))
        g_error ("%s", error->message);
      lines = g_strsplit (out, "\n", -1);
      for (guint l = 0; lines[l] != NULL; l++)
        {
          double value;

          if (i == 0)
            continue;   /* the warm-up */
          if (sscanf (lines[l], "startup-ms %lf", &value) == 1)
            g_array_append_val (startup, value);
          else if (sscanf (lines[l], "page-load-ms %lf", &value) == 1)
            g_array_append_val (load, value);
          else if (sscanf (lines[l], "window-ms %lf", &value) == 1)
            g_array_append_val (window, value);
          else if (sscanf (lines[l], "pages-listed-ms %lf", &value) == 1)
            g_array_append_val (listed, value);
          else if (sscanf (lines[l], "page-shown-ms %lf", &value) == 1)
            g_array_append_val (shown, value);
          else if (sscanf (lines[l], "VmRSS: %lf", &value) == 1)
            {
              value /= 1024.0;
              g_array_append_val (rss, value);
            }
          else if (sscanf (lines[l], "VmHWM: %lf", &value) == 1)
            {
              value /= 1024.0;
              g_array_append_val (hwm, value);
            }
        }
    }
  printf ("\nzhurnal --database F --login deputy, this year's largest page restored (year): "
          "%u warm runs after one warm-up\n", startup->len);
  printf ("%-44s %7s %7s %7s %5s   %s\n", "", "min", "median", "max", "n", "target");
  printf ("%-44s %7.1f %7.1f %7.1f %5u   %s\n", "start to first grid frame, ms",
          zh_bench_percentile (startup, 0),
          zh_bench_percentile (startup, 50), zh_bench_percentile (startup, 100), startup->len, "<= 300 warm");
  printf ("%-44s %7.1f %7.1f %7.1f %5u\n", "  the window made (template), at ms",
          zh_bench_percentile (window, 0), zh_bench_percentile (window, 50), zh_bench_percentile (window, 100), window->len);
  printf ("%-44s %7.1f %7.1f %7.1f %5u\n", "  the deputy's pages listed, at ms",
          zh_bench_percentile (listed, 0), zh_bench_percentile (listed, 50), zh_bench_percentile (listed, 100), listed->len);
  printf ("%-44s %7.1f %7.1f %7.1f %5u\n", "  the page on the grid, at ms",
          zh_bench_percentile (shown, 0), zh_bench_percentile (shown, 50), zh_bench_percentile (shown, 100), shown->len);
  printf ("%-44s %7.1f %7.1f %7.1f %5u\n", "  the page's load in the worker, ms",
          zh_bench_percentile (load, 0), zh_bench_percentile (load, 50), zh_bench_percentile (load, 100), load->len);
  printf ("%-44s %7.1f %7.1f %7.1f %5u   %s\n", "VmRSS at that frame, MB", zh_bench_percentile (rss, 0),
          zh_bench_percentile (rss, 50), zh_bench_percentile (rss, 100), rss->len, "<= 150");
  printf ("%-44s %7.1f %7.1f %7.1f %5u\n", "VmHWM (peak), MB", zh_bench_percentile (hwm, 0),
          zh_bench_percentile (hwm, 50), zh_bench_percentile (hwm, 100), hwm->len);
  g_unlink (keyfile);
  g_rmdir (settings_dir);
  {
    g_autofree char *glib_dir = g_path_get_dirname (settings_dir);

    g_rmdir (glib_dir);
  }
  g_rmdir (config);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *group = NULL;
  g_autofree char *current_group = NULL;
  g_autofree char *small_group = NULL;
  g_autofree char *small_period = NULL;
  g_autofree char *deputy_id = NULL;
  g_autofree char *rss = NULL;
  g_autofree char *hwm = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(ZhJournalModel) year_model = NULL;
  ShowTimes cold, warm, fresh;
  g_auto(GStrv) others = NULL;
  Bench b = { 0 };
  GtkWidget *scrolled;
  GtkAdjustment *h, *v;
  ZhJournalPage *page;
  const char *renderer_env = g_getenv ("GSK_RENDERER");
  gint64 start;
  guint runs = 6;

  if (argc > 1)
    runs = MAX (2, atoi (argv[1]) + 1);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  db_path = ensure_school ();
  gtk_init ();
  adw_init ();

  /* A school cached by an older build is brought to the current schema first. */
  store = zh_store_open (db_path, ZH_STORE_FLAGS_NO_CREATE, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  g_clear_object (&store);
  store = zh_store_open (db_path, ZH_STORE_FLAGS_READ_ONLY, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  /* Read as the journal window reads. */
  _zh_window_tune_reader (store);
  /* The largest page: last year's group with most students × lessons. */
  start = g_get_monotonic_time ();
  group = query_text (store,
                      "SELECT g.id FROM study_group g JOIN class c ON c.id = g.class_id "
                      "WHERE c.year_id = (SELECT id FROM academic_year ORDER BY starts LIMIT 1) "
                      "ORDER BY "
                      "(SELECT count(*) FROM lesson l WHERE l.group_id = g.id) * "
                      "(SELECT count(DISTINCT student_id) FROM group_member m WHERE m.group_id = "
                      "g.id) "
                      "DESC, g.id LIMIT 1");
  small_group = query_text (store,
                            "SELECT g.id FROM study_group g JOIN class c ON c.id = g.class_id "
                            "WHERE c.year_id = (SELECT id FROM academic_year ORDER BY starts "
                            "LIMIT 1) "
                            "AND c.grade = 5 AND g.subgroup = 1 ORDER BY g.id LIMIT 1");
  small_period = query_text (store, "SELECT id FROM period WHERE kind = 'quarter' AND number = 4 "
                                    "AND "
                                    "year_id = (SELECT id FROM academic_year ORDER BY starts "
                                    "LIMIT 1)");
  deputy_id = query_text (store, "SELECT id FROM staff WHERE login = 'deputy'");
  /* Pages a deputy goes on to: the next largest of last year, each read once — their rows were
   * never read in this process (statements warm, data cold), as when going through the school. */
  {
    g_autofree char *list = query_text (store,
                                        "SELECT group_concat (id) FROM (SELECT g.id FROM "
                                        "study_group g JOIN class c ON c.id = g.class_id "
                                        "WHERE c.year_id = (SELECT id FROM academic_year ORDER BY "
                                        "starts LIMIT 1) ORDER BY "
                                        "(SELECT count(*) FROM lesson l WHERE l.group_id = g.id) * "
                                        "(SELECT count(DISTINCT student_id) FROM group_member m "
                                        "WHERE m.group_id = g.id) DESC, g.id LIMIT 12 OFFSET 1)");

    others = g_strsplit (list != NULL ? list : "", ",", -1);
  }
  /* The deputy's list holds this year's pages: the application restores this year's largest. */
  current_group = query_text (store,
                              "SELECT g.id FROM study_group g JOIN class c ON c.id = g.class_id "
                              "WHERE c.year_id = (SELECT id FROM academic_year ORDER BY starts "
                              "DESC LIMIT 1) "
                              "ORDER BY (SELECT count(*) FROM lesson l WHERE l.group_id = g.id) * "
                              "(SELECT count(DISTINCT student_id) FROM group_member m WHERE "
                              "m.group_id = g.id) "
                              "DESC, g.id LIMIT 1");
  g_printerr ("found the largest page in %.0f ms\n", (g_get_monotonic_time () - start) / 1000.0);

  show_times_init (&cold);
  show_times_init (&warm);
  show_times_init (&fresh);
  b.frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  b.f.grid = ZH_GRID (zh_grid_new ());
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (b.f.grid));
  b.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_titlebar (b.window, adw_header_bar_new ());
  gtk_window_set_default_size (b.window, 1600, 1000);
  gtk_window_set_child (b.window, scrolled);
  gtk_window_present (b.window);
  gtk_widget_grab_focus (GTK_WIDGET (b.f.grid));
  while (!gtk_widget_get_mapped (GTK_WIDGET (b.f.grid)))
    g_main_context_iteration (NULL, TRUE);
  zh_bench_frames_watch (&b.f, GTK_WIDGET (b.window));
  zh_bench_spin (300);

  /* The deputy's page list, as the window reads it. */
  start = g_get_monotonic_time ();
  pages = zh_journal_list_pages (store, deputy_id, ZH_ROLE_DEPUTY, NULL, &error);
  if (pages == NULL)
    g_error ("%s", error->message);
  g_printerr ("the deputy's %u pages listed in %.1f ms\n", pages->len,
              (g_get_monotonic_time () - start) / 1000.0);

  /* (a) Choosing the largest page: cold, then from a small page, each read anew. */
  year_model = choose_page (&b, store, group, NULL, &cold);
  for (int i = 0; i < 20; i++)
    {
      zh_bench_spin (30);
      g_object_unref (choose_page (&b, store, small_group, small_period, NULL));
      zh_bench_spin (30);
      g_clear_object (&year_model);
      year_model = choose_page (&b, store, group, NULL, &warm);
    }
  for (guint i = 0; others[i] != NULL && others[i][0] != '\0'; i++)
    {
      zh_bench_spin (30);
      g_object_unref (choose_page (&b, store, others[i], NULL, &fresh));
    }
  g_clear_object (&year_model);
  year_model = choose_page (&b, store, group, NULL, NULL);
  page = zh_journal_model_get_page (year_model);
  h = gtk_scrollable_get_hadjustment (GTK_SCROLLABLE (b.f.grid));
  v = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (b.f.grid));

  printf ("bench-journal: demo school at scale 3 (today %s), window 1600x1000\n", TODAY);
  printf ("largest page: %s, %s: %u students x %u lessons, %u marks, %u summary columns\n",
          page->info.label, page->year_name, page->n_rows, page->n_lessons, page->n_marks,
          zh_journal_model_get_n_summaries (year_model));
  printf ("renderer: %s (GSK_RENDERER=%s); grid %dx%d; content %.0fx%.0f\n\n",
          G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (b.window))),
          renderer_env != NULL ? renderer_env : "unset",
          gtk_widget_get_width (GTK_WIDGET (b.f.grid)), gtk_widget_get_height (GTK_WIDGET (b.f.grid)),
          gtk_adjustment_get_upper (h), gtk_adjustment_get_upper (v));
  printf ("%-44s %7s %7s %7s %5s   %s\n", "ms", "p50", "p95", "max", "n", "target");
  print_show_times ("choose the page to first frame, cold", &cold);
  print_show_times ("choose the page to first frame, switching", &warm);
  print_show_times ("another large page, never read before", &fresh);

  /* (b) Scrolling end to end, both ways. */
  zh_bench_spin (100);
  scroll_through (&b, h, TRUE);
  print_row ("scroll right, frame", b.frame_ms, "p95 <= 16.7, max <= 25");
  scroll_through (&b, h, FALSE);
  print_row ("scroll left, frame", b.frame_ms, "p95 <= 16.7, max <= 25");
  if (gtk_adjustment_get_upper (v) > gtk_adjustment_get_page_size (v))
    {
      scroll_through (&b, v, TRUE);
      print_row ("scroll down, frame", b.frame_ms, "p95 <= 16.7, max <= 25");
      scroll_through (&b, v, FALSE);
      print_row ("scroll up, frame", b.frame_ms, "p95 <= 16.7, max <= 25");
    }
  else
    printf ("(all %u rows fit the window: nothing to scroll vertically)\n", page->n_rows);

  /* (c) This process: the deputy's pages listed, the page shown. */
  rss = status_line ("VmRSS:");
  hwm = status_line ("VmHWM:");
  printf ("\nthis process with the deputy's %u pages and the page shown: VmRSS %s, VmHWM %s\n",
          pages->len, rss, hwm);
  fflush (stdout);

  gtk_window_destroy (b.window);
  g_clear_object (&year_model);
  g_array_unref (b.frame_ms);
  show_times_clear (&cold);
  show_times_clear (&warm);
  show_times_clear (&fresh);

  /* (d) The application itself. */
  run_application (db_path, current_group, runs);
  return 0;
}
