/*
 * Per-customer loops, compiled: service starts at a FIFO station (the fast path's
 * Kiefer-Wolfowitz recursion), at a station that serves by priority (a sweep over its
 * events), at one where customers give up (the same sweep, patience running out), at one
 * that takes bookings ahead of arrival (portsim.engine.booking_sweep), at one of skilled
 * pools whose customers may try again (pooled_starts), the
 * longest queue from joins and leaves, and the filing of a chunk of waits under
 * clock slots and histogram bins.
 *
 * Each has a Python twin (portsim.engine.kernels, portsim.engine.kernels_giving,
 * portsim.stats.slots) that runs when this module was not built (no C compiler at install). Both give the same numbers: the loops
 * compare and add doubles in the twin's order, count integers, and read a histogram bin off a
 * double's bits exactly as the twin does. Arrays arrive through
 * the buffer protocol (C-contiguous float64 or int64), so no numpy headers are needed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* A contiguous int64 buffer of `obj`, writable when asked; on failure a Python error is set. */
static int
int64s_as(PyObject *obj, Py_buffer *view, int writable, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) != 0) {
        return -1;
    }
    const char *format = view->format;
    int integral = format != NULL && (strcmp(format, "q") == 0
                                      || (strcmp(format, "l") == 0 && sizeof(long) == 8));
    if (view->itemsize != sizeof(int64_t) || !integral) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous int64 array", name);
        return -1;
    }
    return 0;
}

/* A contiguous float64 buffer of `obj`, writable when asked; on failure a Python error is set. */
static int
doubles(PyObject *obj, Py_buffer *view, int writable, const char *name)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) != 0) {
        return -1;
    }
    if (view->itemsize != sizeof(double) || view->format == NULL
        || strcmp(view->format, "d") != 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s must be a contiguous float64 array", name);
        return -1;
    }
    return 0;
}

/* A contiguous int64 buffer of `obj`, writable; on failure a Python error is set. */
static int
int64s(PyObject *obj, Py_buffer *view, const char *name)
{
    return int64s_as(obj, view, 1, name);
}

/* Restore the min-heap property below `position` after heap[position] grew. */
static void
sift_down(double *heap, Py_ssize_t size, Py_ssize_t position)
{
    double moving = heap[position];
    for (;;) {
        Py_ssize_t child = 2 * position + 1;
        if (child >= size) {
            break;
        }
        if (child + 1 < size && heap[child + 1] < heap[child]) {
            child += 1;
        }
        if (!(heap[child] < moving)) {
            break;
        }
        heap[position] = heap[child];
        position = child;
    }
    heap[position] = moving;
}

/* Restore the min-heap property above `position` after heap[position] was added. */
static void
sift_up(double *heap, Py_ssize_t position)
{
    double moving = heap[position];
    while (position > 0) {
        Py_ssize_t parent = (position - 1) / 2;
        if (!(moving < heap[parent])) {
            break;
        }
        heap[position] = heap[parent];
        position = parent;
    }
    heap[position] = moving;
}

static double
pop_min(double *heap, Py_ssize_t *size)
{
    double smallest = heap[0];
    *size -= 1;
    if (*size > 0) {
        heap[0] = heap[*size];
        sift_down(heap, *size, 0);
    }
    return smallest;
}

PyDoc_STRVAR(fifo_starts_doc,
"fifo_starts(arrivals, services, servers, horizon, out) -> int\n\n"
"Service starts at a FIFO station with `servers` constant servers (Kiefer-Wolfowitz: a heap\n"
"of the times the servers next become free), written to `out`; returns how many start\n"
"before `horizon`.");

static PyObject *
fifo_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *arrivals_obj, *services_obj, *out_obj;
    Py_ssize_t servers;
    double horizon;
    if (!PyArg_ParseTuple(args, "OOndO:fifo_starts", &arrivals_obj, &services_obj, &servers,
                          &horizon, &out_obj)) {
        return NULL;
    }
    Py_buffer arrivals, services, out;
    if (doubles(arrivals_obj, &arrivals, 0, "arrivals") != 0) {
        return NULL;
    }
    if (doubles(services_obj, &services, 0, "services") != 0) {
        PyBuffer_Release(&arrivals);
        return NULL;
    }
    if (doubles(out_obj, &out, 1, "out") != 0) {
        PyBuffer_Release(&arrivals);
        PyBuffer_Release(&services);
        return NULL;
    }
    Py_ssize_t count = arrivals.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t started = 0;
    double *heap = NULL;
    if (services.len != arrivals.len || out.len < arrivals.len) {
        PyErr_SetString(PyExc_ValueError,
                        "arrivals and services must be as long as each other, out no shorter");
        goto done;
    }
    /* no more servers than customers can be busy: a heap of that many gives the same starts
     * (a station of a billion servers costs no memory) */
    if (servers > count) {
        servers = count;
    }
    if (servers <= 0) {
        goto done;
    }
    heap = PyMem_Calloc((size_t)servers, sizeof(double));
    if (heap == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const double *at = arrivals.buf, *service = services.buf;
    double *start = out.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        double soonest = heap[0];
        double begins = at[i] >= soonest ? at[i] : soonest;
        /* starts never decrease: the first at or after the horizon ends the list */
        if (!(begins < horizon)) {
            break;
        }
        start[i] = begins;
        heap[0] = begins + service[i];
        sift_down(heap, servers, 0);
        started = i + 1;
    }
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(heap);
    PyBuffer_Release(&arrivals);
    PyBuffer_Release(&services);
    PyBuffer_Release(&out);
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromSsize_t(started);
}

PyDoc_STRVAR(fifo_starts_shifts_doc,
"fifo_starts_shifts(arrivals, services, servers, change_times, change_servers, horizon, out)"
" -> int\n\n"
"Service starts at a FIFO station whose servers change (to change_servers[k] at\n"
"change_times[k]): a customer starts at the first moment, at or after its arrival and the\n"
"previous start, when fewer services run than servers are on duty. Written to `out`;\n"
"returns how many start before `horizon`.");

static PyObject *
fifo_starts_shifts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *arrivals_obj, *services_obj, *times_obj, *levels_obj, *out_obj;
    Py_ssize_t servers;
    double horizon;
    if (!PyArg_ParseTuple(args, "OOnOOdO:fifo_starts_shifts", &arrivals_obj, &services_obj,
                          &servers, &times_obj, &levels_obj, &horizon, &out_obj)) {
        return NULL;
    }
    Py_buffer arrivals, services, times, levels, out;
    Py_buffer *views[5] = {&arrivals, &services, &times, &levels, &out};
    PyObject *objects[5] = {arrivals_obj, services_obj, times_obj, levels_obj, out_obj};
    const char *names[5] = {"arrivals", "services", "change_times", "change_servers", "out"};
    int held = 0;
    for (; held < 5; held++) {
        if (doubles(objects[held], views[held], held == 4, names[held]) != 0) {
            break;
        }
    }
    Py_ssize_t started = 0;
    double *running = NULL;
    if (held < 5) {
        goto done;
    }
    Py_ssize_t count = arrivals.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t changes = times.len / (Py_ssize_t)sizeof(double);
    if (services.len != arrivals.len || out.len < arrivals.len || levels.len != times.len) {
        PyErr_SetString(PyExc_ValueError,
                        "arrivals and services, change_times and change_servers must be as "
                        "long as each other, out no shorter than arrivals");
        goto done;
    }
    const double *at = arrivals.buf, *service = services.buf;
    const double *change_at = times.buf, *change_to = levels.buf;
    /* at most as many services run as servers were ever on duty */
    double most = (double)servers;
    for (Py_ssize_t k = 0; k < changes; k++) {
        if (change_to[k] > most) {
            most = change_to[k];
        }
    }
    Py_ssize_t capacity = (Py_ssize_t)most + 1;
    running = PyMem_Malloc((size_t)capacity * sizeof(double));
    if (running == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    double *start = out.buf;
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t size = 0, upcoming = 0;
    double on_duty = (double)servers;
    double previous = -Py_HUGE_VAL;
    for (Py_ssize_t i = 0; i < count; i++) {
        double t = at[i] >= previous ? at[i] : previous;
        for (;;) {
            while (upcoming < changes && change_at[upcoming] <= t) {
                on_duty = change_to[upcoming];
                upcoming += 1;
            }
            while (size > 0 && running[0] <= t) {
                pop_min(running, &size);
            }
            if ((double)size < on_duty) {
                break;
            }
            double soonest = size > 0 ? running[0] : Py_HUGE_VAL;
            if (upcoming < changes && change_at[upcoming] < soonest) {
                soonest = change_at[upcoming];
            }
            t = soonest;
            if (t >= horizon) {
                break;
            }
        }
        if (t >= horizon) {
            break;
        }
        start[i] = t;
        running[size] = t + service[i];
        size += 1;
        sift_up(running, size - 1);
        previous = t;
        started = i + 1;
    }
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(running);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(views[k]);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromSsize_t(started);
}

/* The priority sweep's two heaps: services in progress by (end, their customer's turn), and
 * the queue by (priority, joined number), as the Python twin's tuples compare (both keys are
 * distinct, so any heap pops them in the same order). */
typedef struct { double end; int64_t turn; Py_ssize_t position; } Running;
typedef struct { int64_t priority; int64_t number; Py_ssize_t position; } Queued;

static int
running_before(const Running *a, const Running *b)
{
    return a->end < b->end || (a->end == b->end && a->turn < b->turn);
}

static int
queued_before(const Queued *a, const Queued *b)
{
    return a->priority < b->priority || (a->priority == b->priority && a->number < b->number);
}

#define HEAP_FUNCTIONS(TYPE, BEFORE)                                                  \
static void                                                                          \
TYPE##_push(TYPE *heap, Py_ssize_t *size, TYPE item)                                 \
{                                                                                    \
    Py_ssize_t position = (*size)++;                                                 \
    while (position > 0) {                                                           \
        Py_ssize_t parent = (position - 1) / 2;                                      \
        if (!BEFORE(&item, &heap[parent])) {                                         \
            break;                                                                   \
        }                                                                            \
        heap[position] = heap[parent];                                               \
        position = parent;                                                           \
    }                                                                                \
    heap[position] = item;                                                           \
}                                                                                    \
static TYPE                                                                          \
TYPE##_pop(TYPE *heap, Py_ssize_t *size)                                             \
{                                                                                    \
    TYPE top = heap[0];                                                              \
    TYPE moving = heap[--(*size)];                                                   \
    Py_ssize_t position = 0;                                                         \
    for (;;) {                                                                       \
        Py_ssize_t child = 2 * position + 1;                                         \
        if (child >= *size) {                                                        \
            break;                                                                   \
        }                                                                            \
        if (child + 1 < *size && BEFORE(&heap[child + 1], &heap[child])) {           \
            child += 1;                                                              \
        }                                                                            \
        if (!BEFORE(&heap[child], &moving)) {                                        \
            break;                                                                   \
        }                                                                            \
        heap[position] = heap[child];                                                \
        position = child;                                                            \
    }                                                                                \
    if (*size > 0) {                                                                 \
        heap[position] = moving;                                                     \
    }                                                                                \
    return top;                                                                      \
}

HEAP_FUNCTIONS(Running, running_before)
HEAP_FUNCTIONS(Queued, queued_before)

/* One sweep's state and its inputs (see priority_starts). */
typedef struct {
    const double *at, *service, *change_at, *change_to;
    const int64_t *priority, *turn, *move;
    Py_ssize_t changes, upcoming, busy, running_size, queued_size, started, joined;
    double on_duty, horizon;
    Running *running;
    Queued *queued;
    double *starts;
    int64_t *order;
} Sweep;

static void
sweep_start(Sweep *s, Py_ssize_t position, double t)
{
    s->starts[s->started] = t;
    s->order[s->started] = (int64_t)position;
    s->started += 1;
    Running item = {t + s->service[position], s->turn[position], position};
    Running_push(s->running, &s->running_size, item);
}

/* Play every event before a move at `at` in turn `turn`: PrioritySweep.advance. */
static void
sweep_advance(Sweep *s, double at, int64_t turn)
{
    for (;;) {
        double change = s->upcoming < s->changes ? s->change_at[s->upcoming] : Py_HUGE_VAL;
        double end = s->running_size > 0 ? s->running[0].end : Py_HUGE_VAL;
        if (change <= end) {
            if (!(change <= at && change < s->horizon)) {
                return;
            }
            s->on_duty = s->change_to[s->upcoming];
            s->upcoming += 1;
            while ((double)s->busy < s->on_duty && s->queued_size > 0) {
                s->busy += 1;
                sweep_start(s, Queued_pop(s->queued, &s->queued_size).position, change);
            }
        }
        else if (end < s->horizon
                 && (end < at || (end == at && s->running[0].turn <= turn))) {
            Running_pop(s->running, &s->running_size);
            if (s->queued_size > 0 && (double)s->busy <= s->on_duty) {
                sweep_start(s, Queued_pop(s->queued, &s->queued_size).position, end);
            }
            else {
                s->busy -= 1;
            }
        }
        else {
            return;
        }
    }
}

/* A customer joins the sweep (defined with the group's priority stations, which share it). */
static void sweep_arrive(Sweep *s, Py_ssize_t position, double at);

PyDoc_STRVAR(priority_starts_doc,
"priority_starts(arrivals, services, priorities, turns, moves, servers, change_times,\n"
"                change_servers, horizon, starts, order) -> int\n\n"
"Service starts at a station that serves by priority (lowest first, then in the order they\n"
"joined the queue; no preemption; servers change to change_servers[k] at change_times[k], a\n"
"cut finishing the services begun): its events swept in time order, at one instant the\n"
"changes first, then services ending and customers moving by their turns (int64 ranks; a\n"
"service ending in the turn a customer moves in goes first). Writes who started (positions,\n"
"int64) to `order` and when to `starts`, in the order they started; returns how many\n"
"started before `horizon`.");

static PyObject *
priority_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[10];
    Py_ssize_t servers;
    double horizon;
    if (!PyArg_ParseTuple(args, "OOOOOnOOdOO:priority_starts", &objects[0], &objects[1],
                          &objects[2], &objects[3], &objects[4], &servers, &objects[5],
                          &objects[6], &horizon, &objects[7], &objects[8])) {
        return NULL;
    }
    /* arrivals, services, priorities, turns, moves, change_times, change_servers, starts,
     * order: which are int64 and which are written */
    const char *names[9] = {"arrivals", "services", "priorities", "turns", "moves",
                            "change_times", "change_servers", "starts", "order"};
    const int integral[9] = {0, 0, 1, 1, 1, 0, 0, 0, 1};
    Py_buffer views[9];
    int held = 0;
    for (; held < 9; held++) {
        int written = held >= 7;
        int failed = integral[held]
            ? int64s_as(objects[held], &views[held], written, names[held])
            : doubles(objects[held], &views[held], written, names[held]);
        if (failed != 0) {
            break;
        }
    }
    Sweep s;
    memset(&s, 0, sizeof s);
    if (held < 9) {
        goto done;
    }
    Py_ssize_t count = views[0].len / (Py_ssize_t)sizeof(double);
    s.changes = views[5].len / (Py_ssize_t)sizeof(double);
    for (int k = 1; k < 9; k++) {
        Py_ssize_t length = views[k].len / views[k].itemsize;
        int fits = k == 5 || k == 6 ? length == s.changes : k >= 7 ? length >= count
                                                                    : length == count;
        if (!fits) {
            PyErr_SetString(PyExc_ValueError,
                            "arrivals, services, priorities, turns and moves must be as long as "
                            "each other, change_times as change_servers, starts and order no "
                            "shorter than arrivals");
            goto done;
        }
    }
    s.at = views[0].buf;
    s.service = views[1].buf;
    s.priority = views[2].buf;
    s.turn = views[3].buf;
    s.move = views[4].buf;
    s.change_at = views[5].buf;
    s.change_to = views[6].buf;
    s.starts = views[7].buf;
    s.order = views[8].buf;
    s.on_duty = (double)servers;
    s.horizon = horizon;
    /* everyone may be in service at once, or queueing: one slot each, at most */
    s.running = PyMem_Malloc((size_t)(count + 1) * sizeof(Running));
    s.queued = PyMem_Malloc((size_t)(count + 1) * sizeof(Queued));
    if (s.running == NULL || s.queued == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        sweep_advance(&s, s.at[i], s.move[i]);
        sweep_arrive(&s, i, s.at[i]);
    }
    sweep_advance(&s, horizon, -1);
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(s.running);
    PyMem_Free(s.queued);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromSsize_t(s.started);
}

/* The giving-up sweep's heaps: services in progress and patiences running out by (time, their
 * customer's turn, position), the queue by (priority, joined number), as the Python twin's
 * tuples compare. */
typedef struct { double t; int64_t turn; Py_ssize_t position; } Timed;

static int
timed_before(const Timed *a, const Timed *b)
{
    return a->t < b->t || (a->t == b->t && (a->turn < b->turn
                                            || (a->turn == b->turn
                                                && a->position < b->position)));
}

HEAP_FUNCTIONS(Timed, timed_before)

/* Where a customer of the giving-up sweep stands. */
enum { AWAY = 0, QUEUED = 1, DONE = 2 };

/* The kinds of a reactive station's clock events (ReactiveSweep): a step of the shift
 * schedule, a check of the queue's head, a step of the positions. */
enum { SHIFT = 0, CHECK = 1, HOLD = 2 };

/* One giving-up sweep's state and its inputs (see impatient_starts); with clock_kind, a
 * reactive station's (see reactive_starts): its clock events are change_at (times),
 * clock_kind, clock_value, clock_place, and change_to is unused. */
typedef struct {
    const double *at, *change_at, *change_to, *service, *patience, *uniform, *chance;
    const double *deadline;
    const int64_t *priority, *kind, *turn, *move, *patient, *balk_at, *chance_offset;
    const int64_t *clock_kind, *clock_value, *clock_place;
    Py_ssize_t changes, upcoming, busy, running_size, timer_size, queued_size, live;
    Py_ssize_t started, lost, joined, server_changes;
    double on_duty, horizon, open_above, close_below;
    int64_t base, extra, max_extra;
    Timed *running, *timers;
    Queued *queued;
    Py_ssize_t *next_service, *next_patience, *next_uniform;
    char *state;
    double *starts, *services, *left, *server_at;
    int64_t *order, *gone, *how, *server_to;
} Giving;

static void
giving_start(Giving *s, Py_ssize_t position, double t)
{
    int64_t kind = s->kind[position];
    double service = s->service[s->next_service[kind]++];
    s->services[position] = service;
    s->state[position] = DONE;
    s->starts[s->started] = t;
    s->order[s->started] = (int64_t)position;
    s->started += 1;
    Timed item = {t + service, s->turn[position], position};
    Timed_push(s->running, &s->running_size, item);
}

/* The head of the queue; those who gave up are dropped from the heap here. */
static Py_ssize_t
giving_head(Giving *s)
{
    for (;;) {
        Py_ssize_t position = Queued_pop(s->queued, &s->queued_size).position;
        if (s->state[position] == QUEUED) {
            s->live -= 1;
            return position;
        }
    }
}

static void
giving_leave(Giving *s, Py_ssize_t position, double t, int64_t way)
{
    s->state[position] = DONE;
    s->gone[s->lost] = (int64_t)position;
    s->left[s->lost] = t;
    s->how[s->lost] = way;
    s->lost += 1;
}

/* `servers` on duty from `at`: ImpatientSweep._change. */
static void
giving_change(Giving *s, double at, double servers)
{
    s->on_duty = servers;
    while ((double)s->busy < s->on_duty && s->live > 0) {
        s->busy += 1;
        giving_start(s, giving_head(s), at);
    }
}

/* How long the head of the queue has waited at `now` (0 if nobody waits); those who gave
 * up are dropped from the heap here: ReactiveSweep._head_wait. */
static double
giving_head_wait(Giving *s, double now)
{
    while (s->queued_size > 0 && s->state[s->queued[0].position] != QUEUED) {
        Queued_pop(s->queued, &s->queued_size);
    }
    return s->queued_size > 0 ? now - s->at[s->queued[0].position] : 0.0;
}

static int64_t
larger(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* The next clock event, at `at`: ImpatientSweep._tick, or ReactiveSweep._tick. */
static void
giving_tick(Giving *s, double at)
{
    Py_ssize_t k = s->upcoming++;
    if (s->clock_kind == NULL) {
        giving_change(s, at, s->change_to[k]);
        return;
    }
    int64_t kind = s->clock_kind[k], value = s->clock_value[k], place = s->clock_place[k];
    if (kind == SHIFT) {
        if (value == s->base) {
            return;
        }
        if (place >= 0 && s->extra > larger(0, place - value)) {
            s->extra = larger(0, place - value);
        }
        s->base = value;
    }
    else if (kind == CHECK) {
        int64_t most = s->max_extra;
        if (place >= 0 && most > larger(0, place - s->base)) {
            most = larger(0, place - s->base);
        }
        double waited = giving_head_wait(s, at);
        if (waited > s->open_above && s->extra < most) {
            s->extra += 1;
        }
        else if (waited < s->close_below && s->extra > 0) {
            s->extra -= 1;
        }
        else {
            return;
        }
    }
    else {
        int64_t room = larger(0, place - s->base);
        if (s->extra <= room) {
            return;
        }
        s->extra = room;
    }
    int64_t servers = s->base + s->extra;
    s->server_at[s->server_changes] = at;
    s->server_to[s->server_changes] = servers;
    s->server_changes += 1;
    giving_change(s, at, (double)servers);
}

/* Play every event before a move at `at` in turn `turn`: ImpatientSweep.advance. */
static void
giving_advance(Giving *s, double at, int64_t turn)
{
    const Timed none = {Py_HUGE_VAL, 0, 0};
    for (;;) {
        double change = s->upcoming < s->changes ? s->change_at[s->upcoming] : Py_HUGE_VAL;
        Timed end = s->running_size > 0 ? s->running[0] : none;
        Timed out = s->timer_size > 0 ? s->timers[0] : none;
        /* by time, then turn: a service ending before a patience running out in a tie */
        int ending = end.t < out.t || (end.t == out.t && end.turn <= out.turn);
        Timed first = ending ? end : out;
        if (change <= first.t) {
            if (!(change <= at && change < s->horizon)) {
                return;
            }
            giving_tick(s, change);
        }
        else if (first.t < s->horizon
                 && (first.t < at || (first.t == at && first.turn <= turn))) {
            if (ending) {
                Timed_pop(s->running, &s->running_size);
                if (s->live > 0 && (double)s->busy <= s->on_duty) {
                    giving_start(s, giving_head(s), end.t);
                }
                else {
                    s->busy -= 1;
                }
            }
            else {
                Timed_pop(s->timers, &s->timer_size);
                if (s->state[out.position] == QUEUED) { /* else its service started first */
                    s->live -= 1;
                    giving_leave(s, out.position, out.t, 2);
                }
            }
        }
        else {
            return;
        }
    }
}

/* Whether a customer of class `kind` refuses to join a queue of `waiting`: the event
 * engine's Rule.balks, a uniform taken only to try a chance strictly between 0 and 1. */
static int
giving_balks(Giving *s, int64_t kind, Py_ssize_t waiting)
{
    int64_t limit = s->balk_at[kind];
    if (limit >= 0 && (int64_t)waiting >= limit) {
        return 1;
    }
    int64_t low = s->chance_offset[kind], high = s->chance_offset[kind + 1];
    if (low == high) {
        return 0;
    }
    int64_t step = (int64_t)waiting < high - low - 1 ? (int64_t)waiting : high - low - 1;
    double chance = s->chance[low + step];
    if (chance >= 1.0) {
        return 1;
    }
    if (!(chance > 0.0)) {
        return 0;
    }
    return s->uniform[s->next_uniform[kind]++] < chance;
}

/* The customer at `position` arrives: ImpatientSweep.arrive. */
static void
giving_arrive(Giving *s, Py_ssize_t position)
{
    double at = s->at[position];
    int64_t kind = s->kind[position];
    if ((double)s->busy < s->on_duty) {
        s->busy += 1;
        giving_start(s, position, at);
        return;
    }
    if (giving_balks(s, kind, s->live)) {
        giving_leave(s, position, at, 1);
        return;
    }
    s->joined += 1;
    Queued item = {s->priority[position], s->joined, position};
    Queued_push(s->queued, &s->queued_size, item);
    s->state[position] = QUEUED;
    s->live += 1;
    double wait = Py_HUGE_VAL;
    if (s->patient[kind]) {
        wait = s->patience[s->next_patience[kind]++];
    }
    /* the earlier of its patience and its visit's deadline (at once if that passed); a
     * group's reactive station has no deadlines (NULL): nobody gives up there */
    double deadline = s->deadline != NULL ? s->deadline[position] : Py_HUGE_VAL;
    if (deadline < Py_HUGE_VAL) {
        double rest = deadline - at > 0.0 ? deadline - at : 0.0;
        if (rest < wait) {
            wait = rest;
        }
    }
    if (wait < Py_HUGE_VAL) {
        Timed timer = {at + wait, s->turn[position], position};
        Timed_push(s->timers, &s->timer_size, timer);
    }
}

/* Whether the int64 `offsets` (of `size`) run from 0 upwards and end at `total`. */
static int
offsets_fit(const int64_t *offsets, Py_ssize_t size, Py_ssize_t total)
{
    if (size < 1 || offsets[0] != 0 || offsets[size - 1] != (int64_t)total) {
        return 0;
    }
    for (Py_ssize_t k = 1; k < size; k++) {
        if (offsets[k] < offsets[k - 1]) {
            return 0;
        }
    }
    return 1;
}

/* Whether the sizes of the giving-up sweep's buffers fit together (so that no index it
 * follows can leave them): see impatient_starts_doc. */
static int
giving_fits(const Py_buffer *views, Py_ssize_t count)
{
    Py_ssize_t length[22];
    for (int k = 0; k < 22; k++) {
        length[k] = views[k].len / views[k].itemsize;
    }
    for (int k = 1; k < 5; k++) {
        if (length[k] != count) {
            return 0;
        }
    }
    if (length[21] != count) {
        return 0;
    }
    for (int k = 15; k < 21; k++) {
        if (length[k] < count) {
            return 0;
        }
    }
    Py_ssize_t classes = length[7] - 1;
    const int64_t *offsets = views[7].buf, *kinds = views[2].buf;
    if (length[6] != length[5] || classes < 0 || length[11] != classes
        || length[12] != classes || length[13] != classes + 1
        || !offsets_fit(offsets, length[7], length[8]) || length[9] != length[8]
        || length[10] != length[8] || !offsets_fit(views[13].buf, length[13], length[14])) {
        return 0;
    }
    /* each class's block holds a variate for every one of its customers */
    int64_t *members = PyMem_Calloc((size_t)classes + 1, sizeof(int64_t));
    if (members == NULL) {
        return 0;
    }
    int fits = 1;
    for (Py_ssize_t i = 0; i < count && fits; i++) {
        int64_t kind = kinds[i];
        fits = kind >= 0 && kind < classes
               && ++members[kind] <= offsets[kind + 1] - offsets[kind];
    }
    PyMem_Free(members);
    return fits;
}

/* Whether a reactive station's clock arrays are as long as its clock times, and its
 * outputs of server changes long enough for one change per clock event. */
static int
reactive_fits(const Py_buffer *views)
{
    Py_ssize_t events = views[5].len / views[5].itemsize;
    return views[22].len / views[22].itemsize == events
           && views[23].len / views[23].itemsize == events
           && views[24].len / views[24].itemsize >= events
           && views[25].len / views[25].itemsize >= events;
}

PyDoc_STRVAR(impatient_starts_doc,
"impatient_starts(arrivals, priorities, kinds, turns, moves, servers, change_times,\n"
"                 change_servers, horizon, draws, rules, outputs) -> (int, int)\n\n"
"Service starts at a station where customers may give up (balk on arrival, renege when\n"
"their patience runs out in the queue), its events swept as priority_starts does, a patience\n"
"running out ordered with services ending by time, then turn. `kinds`: each customer's\n"
"class. draws = (offsets, services, patiences, uniforms, deadlines): class k's pre-drawn\n"
"variates are [offsets[k], offsets[k + 1]) of the first three, taken in the order of use;\n"
"deadlines[i]: when customer i gives up on its whole visit (inf: never), its timer on\n"
"joining the queue the earlier of its patience and that (at once if passed). rules = (patient,\n"
"balk_at, chance_offsets, chances): per class whether it has a patience, the queue length\n"
"it refuses at (-1: none) and its balking chances by queue length. outputs = (starts,\n"
"order, services, gone, left, how): who started and when, each customer's service (NaN:\n"
"none), who left without service, when and how (1 balked, 2 reneged). Returns how many\n"
"started and how many left.");

/* The giving-up sweep on `total` parsed arrays (22, or 26 for a reactive station: see
 * giving_fits and reactive_fits), written where `written` says, named `names`. */
static PyObject *
giving_run(PyObject **objects, int total, const char *const *names, const int *integral,
           Py_ssize_t servers, double horizon, const double *rule)
{
    Py_buffer views[26];
    int held = 0;
    for (; held < total; held++) {
        int written = (held >= 15 && held < 21) || held >= 24;
        int failed = integral[held]
            ? int64s_as(objects[held], &views[held], written, names[held])
            : doubles(objects[held], &views[held], written, names[held]);
        if (failed != 0) {
            break;
        }
    }
    Giving s;
    memset(&s, 0, sizeof s);
    Py_ssize_t count = held < total ? 0 : views[0].len / (Py_ssize_t)sizeof(double);
    if (held < total) {
        goto done;
    }
    if (!giving_fits(views, count) || (total > 22 && !reactive_fits(views))) {
        if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_ValueError,
                         "%s: the arrays do not fit together (lengths, offsets, or a class "
                         "without a variate for each customer)",
                         total > 22 ? "reactive_starts" : "impatient_starts");
        }
        goto done;
    }
    Py_ssize_t classes = views[7].len / (Py_ssize_t)sizeof(int64_t) - 1;
    s.at = views[0].buf; s.priority = views[1].buf; s.kind = views[2].buf;
    s.turn = views[3].buf; s.move = views[4].buf;
    s.change_at = views[5].buf;
    s.changes = views[5].len / (Py_ssize_t)sizeof(double);
    s.service = views[8].buf; s.patience = views[9].buf; s.uniform = views[10].buf;
    s.patient = views[11].buf; s.balk_at = views[12].buf;
    s.chance_offset = views[13].buf; s.chance = views[14].buf;
    s.starts = views[15].buf; s.order = views[16].buf; s.services = views[17].buf;
    s.gone = views[18].buf; s.left = views[19].buf; s.how = views[20].buf;
    s.deadline = views[21].buf;
    if (total > 22) {
        s.clock_kind = views[6].buf; s.clock_value = views[22].buf;
        s.clock_place = views[23].buf;
        s.server_at = views[24].buf; s.server_to = views[25].buf;
        s.open_above = rule[0]; s.close_below = rule[1]; s.max_extra = (int64_t)rule[2];
        s.base = (int64_t)servers;
    }
    else {
        s.change_to = views[6].buf;
    }
    s.on_duty = (double)servers;
    s.horizon = horizon;
    s.running = PyMem_Malloc((size_t)(count + 1) * sizeof(Timed));
    s.timers = PyMem_Malloc((size_t)(count + 1) * sizeof(Timed));
    s.queued = PyMem_Malloc((size_t)(count + 1) * sizeof(Queued));
    s.state = PyMem_Calloc((size_t)count + 1, 1);
    s.next_service = PyMem_Malloc((size_t)(3 * classes + 1) * sizeof(Py_ssize_t));
    if (s.running == NULL || s.timers == NULL || s.queued == NULL || s.state == NULL
        || s.next_service == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    s.next_patience = s.next_service + classes;
    s.next_uniform = s.next_patience + classes;
    for (Py_ssize_t k = 0; k < classes; k++) {
        const int64_t *offsets = views[7].buf;
        s.next_service[k] = s.next_patience[k] = s.next_uniform[k] = (Py_ssize_t)offsets[k];
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        s.services[i] = Py_NAN;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        giving_advance(&s, s.at[i], s.move[i]);
        giving_arrive(&s, i);
    }
    giving_advance(&s, horizon, -1);
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(s.running);
    PyMem_Free(s.timers);
    PyMem_Free(s.queued);
    PyMem_Free(s.state);
    PyMem_Free(s.next_service);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (total > 22) {
        return Py_BuildValue("nnn", s.started, s.lost, s.server_changes);
    }
    return Py_BuildValue("nn", s.started, s.lost);
}

static const char *const giving_names[26] = {
    "arrivals", "priorities", "kinds", "turns", "moves", "change_times", "change_servers",
    "offsets", "services", "patiences", "uniforms", "patient", "balk_at", "chance_offsets",
    "chances", "starts", "order", "services out", "gone", "left", "how", "deadlines",
    "clock values", "clock positions", "server_times", "server_counts"};
/* Which arrays hold int64 (the others doubles); a reactive station's sixth is its clock's
 * kinds rather than the servers of its changes. */
static const int giving_integral[26] = {0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0,
                                        0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1};
static const int reactive_integral[26] = {0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0,
                                          0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1};

/* Parse draws (deadlines into objects[21]), rules and outputs (6 or 8 of them) into
 * objects[7..21] (and [24..25]). */
static int
giving_parse(PyObject *draws, PyObject *rules, PyObject *outputs, PyObject **objects,
             int reactive)
{
    if (!PyArg_ParseTuple(draws, "OOOOO:draws", &objects[7], &objects[8], &objects[9],
                          &objects[10], &objects[21])
        || !PyArg_ParseTuple(rules, "OOOO:rules", &objects[11], &objects[12], &objects[13],
                             &objects[14])) {
        return 0;
    }
    if (reactive) {
        return PyArg_ParseTuple(outputs, "OOOOOOOO:outputs", &objects[15], &objects[16],
                                &objects[17], &objects[18], &objects[19], &objects[20],
                                &objects[24], &objects[25]);
    }
    return PyArg_ParseTuple(outputs, "OOOOOO:outputs", &objects[15], &objects[16],
                            &objects[17], &objects[18], &objects[19], &objects[20]);
}

static PyObject *
impatient_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[26], *draws, *rules, *outputs;
    Py_ssize_t servers;
    double horizon;
    if (!PyArg_ParseTuple(args, "OOOOOnOOdO!O!O!:impatient_starts", &objects[0],
                          &objects[1], &objects[2], &objects[3], &objects[4], &servers,
                          &objects[5], &objects[6], &horizon, &PyTuple_Type, &draws,
                          &PyTuple_Type, &rules, &PyTuple_Type, &outputs)
        || !giving_parse(draws, rules, outputs, objects, 0)) {
        return NULL;
    }
    return giving_run(objects, 22, giving_names, giving_integral, servers, horizon, NULL);
}

PyDoc_STRVAR(reactive_starts_doc,
"reactive_starts(arrivals, priorities, kinds, turns, moves, servers, clock, rule, horizon,\n"
"                draws, rules, outputs) -> (int, int, int)\n\n"
"Service starts at a station with queue-reactive staffing, its customers as\n"
"impatient_starts takes them (some may give up). clock = (times, kinds, values, positions):\n"
"its clock events in the order they are played (kinds 0 a shift step to `values` servers,\n"
"1 a check of the queue's head, 2 a step of the positions; positions -1: no limit). rule =\n"
"(open_above, close_below, max_extra). outputs: impatient_starts' six, then server_times\n"
"and server_counts (each change of the servers on duty; as long as the clock). Returns how\n"
"many started, how many left and how many changes.");

static PyObject *
reactive_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[26], *draws, *rules, *outputs;
    Py_ssize_t servers;
    double horizon, rule[3];
    if (!PyArg_ParseTuple(args, "OOOOOn(OOOO)(ddd)dO!O!O!:reactive_starts", &objects[0],
                          &objects[1], &objects[2], &objects[3], &objects[4], &servers,
                          &objects[5], &objects[6], &objects[22], &objects[23], &rule[0],
                          &rule[1], &rule[2], &horizon, &PyTuple_Type, &draws,
                          &PyTuple_Type, &rules, &PyTuple_Type, &outputs)
        || !giving_parse(draws, rules, outputs, objects, 1)) {
        return NULL;
    }
    const char *names[26];
    memcpy(names, giving_names, sizeof names);
    names[5] = "clock times";
    names[6] = "clock kinds";
    return giving_run(objects, 26, names, reactive_integral, servers, horizon, rule);
}

PyDoc_STRVAR(queue_max_doc,
"queue_max(joins, leaves, warmup) -> int\n\n"
"The longest queue from `warmup` on, given when each customer joined and left it (both in\n"
"FIFO order, so sorted): the queue at `warmup`, or after any later join once everything at\n"
"its instant has happened (joins so far less those who left at or before it).");

static PyObject *
queue_max(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *joins_obj, *leaves_obj;
    double warmup;
    if (!PyArg_ParseTuple(args, "OOd:queue_max", &joins_obj, &leaves_obj, &warmup)) {
        return NULL;
    }
    Py_buffer joins, leaves;
    if (doubles(joins_obj, &joins, 0, "joins") != 0) {
        return NULL;
    }
    if (doubles(leaves_obj, &leaves, 0, "leaves") != 0) {
        PyBuffer_Release(&joins);
        return NULL;
    }
    Py_ssize_t longest = 0;
    if (joins.len != leaves.len) {
        PyErr_SetString(PyExc_ValueError, "joins and leaves must be as long as each other");
    }
    else {
        const double *join = joins.buf, *leave = leaves.buf;
        Py_ssize_t count = joins.len / (Py_ssize_t)sizeof(double);
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t k = 0; k < count; k++) {
            if (join[k] <= warmup && leave[k] > warmup) {
                longest += 1;
            }
        }
        Py_ssize_t left = 0;  /* leaves at or before the current join */
        for (Py_ssize_t k = 0; k < count; k++) {
            if (join[k] < warmup) {
                continue;
            }
            while (left < count && leave[left] <= join[k]) {
                left += 1;
            }
            if (k + 1 - left > longest) {
                longest = k + 1 - left;
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&joins);
    PyBuffer_Release(&leaves);
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromSsize_t(longest);
}

/* numpy's float floor division (npy_divmod's quotient), for the rare quotient that rounds
 * to a whole number: there the exact one may lie just below it. */
static double
floor_divide(double a, double b)
{
    double mod = fmod(a, b);
    double quotient = (a - mod) / b;
    if (mod) {
        if ((b < 0) != (mod < 0)) {
            quotient -= 1.0;
        }
    }
    if (quotient) {
        double floored = floor(quotient);
        if (quotient - floored > 0.5) {
            floored += 1.0;
        }
        return floored;
    }
    return copysign(0.0, a / b);
}

PyDoc_STRVAR(slot_fold_doc,
"slot_fold(waits, times, slot_minutes, first_slot, standard, slots_per_day, several_days,\n"
"          biased_low, octaves, sub_bits, counts, sums, beyond, zeros, maxima, histograms)\n"
"          -> bool\n\n"
"SlotTally's filing of a chunk: each wait under the slot of its time (from `first_slot` on;\n"
"later than the last slot: the last) and its histogram bin, read off the wait's bits: bin 0\n"
"below 2**(biased_low - 1023) minutes (and zero), then `2**sub_bits` bins per octave\n"
"(exponent field, then the mantissa's top `sub_bits` bits), then one last bin. Adds to the\n"
"int64 arrays counts, beyond, zeros, histograms (slot of the day x bin) and the float64 sums\n"
"(each slot's chunk summed in order, then added); raises the float64 maxima to the longest\n"
"wait of each slot. Returns False, changing nothing, when a wait or time is not finite or a\n"
"time is negative: the caller then files the chunk itself.");

/* The histogram bin of a finite wait (portsim.stats.slots.wait_bins, bit for bit). */
static Py_ssize_t
wait_bin(double w, int64_t biased_low, int64_t octaves, int sub_bits)
{
    if (!(w > 0.0)) {
        return 0;
    }
    uint64_t bits;
    memcpy(&bits, &w, sizeof bits);
    int64_t octave = (int64_t)(bits >> 52) - biased_low;
    if (octave < 0) {
        return 0;
    }
    if (octave >= octaves) {
        return (Py_ssize_t)(1 + (octaves << sub_bits));
    }
    uint64_t step = (bits >> (52 - sub_bits)) & ((UINT64_C(1) << sub_bits) - 1);
    return (Py_ssize_t)(1 + (octave << sub_bits) + (int64_t)step);
}

static PyObject *
slot_fold(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[8];
    double slot_minutes, standard;
    Py_ssize_t first_slot, slots_per_day, biased_low, octaves;
    int several_days, sub_bits;
    if (!PyArg_ParseTuple(args, "OOdndnpnniOOOOOO:slot_fold", &objects[0], &objects[1],
                          &slot_minutes, &first_slot, &standard, &slots_per_day, &several_days,
                          &biased_low, &octaves, &sub_bits, &objects[2], &objects[3],
                          &objects[4], &objects[5], &objects[6], &objects[7])) {
        return NULL;
    }
    if (sub_bits < 0 || sub_bits > 20 || octaves < 1 || octaves > 2048) {
        PyErr_SetString(PyExc_ValueError, "slot_fold: the histogram's shape is out of range");
        return NULL;
    }
    /* waits, times, sums, maxima: float64; counts, beyond, zeros, histograms: int64 */
    Py_buffer views[8];
    const char *names[8] = {"waits", "times", "counts", "sums", "beyond", "zeros", "maxima",
                            "histograms"};
    int held = 0;
    for (; held < 8; held++) {
        int failed = (held == 2 || held == 4 || held == 5 || held == 7)
            ? int64s(objects[held], &views[held], names[held])
            : doubles(objects[held], &views[held], held >= 2, names[held]);
        if (failed != 0) {
            break;
        }
    }
    int handled = 0;
    double *chunk = NULL;
    if (held < 8) {
        goto done;
    }
    Py_ssize_t count = views[0].len / (Py_ssize_t)sizeof(double);
    Py_ssize_t slots = views[2].len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t bins = 2 + (octaves << sub_bits);
    if (views[1].len != views[0].len || views[3].len != views[2].len
            || views[4].len != views[2].len || views[5].len != views[2].len
            || views[6].len != views[2].len || slots < 1 || slots_per_day < 1
            || views[7].len != slots_per_day * bins * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "slot_fold: the arrays' sizes do not fit together");
        goto done;
    }
    const double *wait = views[0].buf, *time = views[1].buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!isfinite(wait[i]) || !isfinite(time[i]) || time[i] < 0) {
            goto done;  /* not handled: numpy's path decides (and raises where it must) */
        }
    }
    chunk = PyMem_Calloc((size_t)slots, sizeof(double));
    if (chunk == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t *counts = views[2].buf, *beyond = views[4].buf, *zeros = views[5].buf;
    int64_t *histograms = views[7].buf;
    double *sums = views[3].buf, *maxima = views[6].buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        double w = wait[i];
        double quotient = time[i] / slot_minutes;
        double floored = floor(quotient);
        if (floored == quotient) {
            floored = floor_divide(time[i], slot_minutes);
        }
        Py_ssize_t slot = floored >= (double)(slots - 1) ? slots - 1 : (Py_ssize_t)floored;
        if (slot < first_slot) {
            continue;
        }
        counts[slot] += 1;
        chunk[slot] += w;
        if (w > standard) {
            beyond[slot] += 1;
        }
        if (w <= 0.0) {
            zeros[slot] += 1;
        }
        if (w > maxima[slot]) {
            maxima[slot] = w;
        }
        Py_ssize_t of_day = several_days ? slot % slots_per_day : slot;
        histograms[of_day * bins + wait_bin(w, biased_low, octaves, sub_bits)] += 1;
    }
    for (Py_ssize_t k = 0; k < slots; k++) {
        sums[k] += chunk[k];
    }
    Py_END_ALLOW_THREADS
    handled = 1;
done:
    PyMem_Free(chunk);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyBool_FromLong(handled);
}

/* ------------------------------------------------------------------------------------------
 * A station that can be out of order (portsim.engine.breakdown_sweep, its Python twin): the
 * station's clock (failures, repairs, outage edges, shift changes, the warm-up's end, worked
 * out ahead in the event engine's order) and its customers swept together, each event doing
 * what portsim.engine.breakdowns.UnreliableStation does on it.
 */

/* The clock's codes, the levels, and how a segment of service or a stay in the queue ends:
 * breakdown_sweep's constants. */
enum { CLOCK_FAIL, CLOCK_REPAIR, CLOCK_OUTAGE_START, CLOCK_OUTAGE_END, CLOCK_SHIFT,
       CLOCK_WARMUP };
enum { LEVEL_SERVERS, LEVEL_CAPACITY, LEVEL_BROKEN, LEVEL_OUT_OF_ORDER, LEVEL_RESET };
enum { SEGMENT_DONE = 0, SEGMENT_CUT = 1, SEGMENT_RUNNING = 2 };
enum { STAY_STARTED = 0, STAY_DIVERTED = 1, STAY_WAITING = 2 };

typedef struct {
    const double *at, *service, *choice, *clock_at;
    const int64_t *kind, *turn, *move, *fallback, *clock_code, *clock_value, *offsets;
    Py_ssize_t count, clocks, upcoming, choices, next_choice, positions;
    Py_ssize_t on_duty, servers, busy, interrupted;
    int in_outage, resumes, measured, short_of_draws, overflow;
    double horizon;
    char *down, *started, *has_rest;
    Timed *running;
    Py_ssize_t running_size, running_cap;
    Py_ssize_t *in_service, in_service_size;  /* customers in service, in the order started */
    Py_ssize_t *segment_of, *stay_of, *next_service;
    double *end_of, *rest;
    Py_ssize_t *ring, ring_cap, head, size;   /* the queue, head first */
    double *segments, *stays, *diverted, *levels;
    Py_ssize_t segment_n, segment_cap, stay_n, stay_cap, diverted_n, diverted_cap;
    Py_ssize_t level_n, level_cap;
} Down;

static double *
down_row(Down *s, double *rows, Py_ssize_t *n, Py_ssize_t cap, int width)
{
    if (*n >= cap) {
        s->overflow = 1;
        return NULL;
    }
    return rows + width * (*n)++;
}

static void
down_level(Down *s, double t, int which, double value)
{
    double *row = down_row(s, s->levels, &s->level_n, s->level_cap, 3);
    if (row != NULL) {
        row[0] = t; row[1] = (double)which; row[2] = value;
    }
}

static void
down_divert(Down *s, Py_ssize_t position, double t, int from_queue)
{
    double *row = down_row(s, s->diverted, &s->diverted_n, s->diverted_cap, 4);
    if (row != NULL) {
        row[0] = (double)position; row[1] = t; row[2] = from_queue; row[3] = s->measured;
    }
}

static int
down_out_of_order(const Down *s)
{
    return s->in_outage || (s->servers == 0 && s->on_duty > 0);
}

static void
down_join(Down *s, double t, Py_ssize_t position)
{
    s->stay_of[position] = s->stay_n;
    double *row = down_row(s, s->stays, &s->stay_n, s->stay_cap, 4);
    if (row != NULL) {
        row[0] = (double)position; row[1] = t; row[2] = Py_HUGE_VAL; row[3] = STAY_WAITING;
    }
}

/* Start a service in the turn `by` (-1: the clock's); one that takes no time ends in that
 * turn where it comes after the customer's own (SimPy takes it next). */
static void
down_serve(Down *s, double t, Py_ssize_t position, double waited, int64_t by)
{
    int64_t kind = s->kind[position];
    int first = !s->started[position];
    double rest = Py_NAN;
    if (!first && s->has_rest[position]) {
        rest = s->rest[position];
        s->has_rest[position] = 0;
    }
    double duration;
    if (first || isnan(rest)) {
        Py_ssize_t index = s->next_service[kind];
        if (index >= (Py_ssize_t)s->offsets[kind + 1]) {
            s->short_of_draws = 1;
            duration = 0.0;
        }
        else {
            duration = s->service[index];
            s->next_service[kind] = index + 1;
        }
    }
    else {
        duration = rest;
    }
    s->started[position] = 1;
    double end = t + duration;
    Py_ssize_t segment = s->segment_n;
    double *row = down_row(s, s->segments, &s->segment_n, s->segment_cap, 8);
    if (row == NULL || s->running_size >= s->running_cap) {
        s->overflow = 1;
        return;
    }
    int64_t own = s->turn[position];
    int64_t ends_in = duration == 0.0 && by > own ? by : own;
    row[0] = (double)position; row[1] = t; row[2] = end; row[3] = SEGMENT_RUNNING;
    row[4] = first; row[5] = s->measured; row[6] = waited; row[7] = (double)ends_in;
    s->segment_of[position] = segment;
    s->end_of[position] = end;
    s->in_service[s->in_service_size++] = position;
    Timed item = {end, ends_in, segment};
    Timed_push(s->running, &s->running_size, item);
}

static void
down_serve_next(Down *s, double t, int64_t by)
{
    Py_ssize_t position = s->ring[s->head];
    s->head = (s->head + 1) % s->ring_cap;
    s->size -= 1;
    double *stay = s->stays + 4 * s->stay_of[position];
    s->stay_of[position] = -1;
    stay[2] = t;
    stay[3] = STAY_STARTED;
    down_serve(s, t, position, t - stay[1], by);
}

static void
down_leave_service(Down *s, Py_ssize_t position)
{
    Py_ssize_t k = 0;
    while (s->in_service[k] != position) {
        k++;
    }
    memmove(s->in_service + k, s->in_service + k + 1,
            (size_t)(s->in_service_size - k - 1) * sizeof(Py_ssize_t));
    s->in_service_size -= 1;
    s->segment_of[position] = -1;
}

static void
down_interrupt(Down *s, double t, Py_ssize_t position)
{
    double end = s->end_of[position];
    double *row = s->segments + 8 * s->segment_of[position];
    down_leave_service(s, position);
    s->busy -= 1;
    row[2] = t;
    row[3] = SEGMENT_CUT;
    s->interrupted += 1;
    s->rest[position] = s->resumes ? end - t : Py_NAN;
    s->has_rest[position] = 1;
    down_join(s, t, position);
    s->head = (s->head + s->ring_cap - 1) % s->ring_cap;
    s->ring[s->head] = position;
    s->size += 1;
}

static void
down_divert_queue(Down *s, double t)
{
    Py_ssize_t kept = 0;
    for (Py_ssize_t k = 0; k < s->size; k++) {
        Py_ssize_t position = s->ring[(s->head + k) % s->ring_cap];
        if (s->fallback[position]) {
            double *stay = s->stays + 4 * s->stay_of[position];
            s->stay_of[position] = -1;
            stay[2] = t;
            stay[3] = STAY_DIVERTED;
            s->has_rest[position] = 0;
            down_divert(s, position, t, 1);
        }
        else {
            s->ring[(s->head + kept++) % s->ring_cap] = position;
        }
    }
    s->size = kept;
}

static void
down_apply(Down *s, double t)
{
    Py_ssize_t on_duty = s->on_duty, broken = 0;
    if (s->in_outage) {
        broken = on_duty;
    }
    else {
        for (Py_ssize_t k = 0; k < on_duty && k < s->positions; k++) {
            broken += s->down[k];
        }
    }
    s->servers = on_duty - broken;
    down_level(s, t, LEVEL_SERVERS, (double)on_duty);
    down_level(s, t, LEVEL_CAPACITY, (double)(s->servers > s->busy ? s->servers : s->busy));
    down_level(s, t, LEVEL_BROKEN, (double)broken);
    int out_of_order = down_out_of_order(s);
    down_level(s, t, LEVEL_OUT_OF_ORDER, (double)out_of_order);
    if (out_of_order) {
        down_divert_queue(s, t);
    }
    while (s->busy < s->servers && s->size > 0 && !s->overflow) {
        s->busy += 1;
        down_serve_next(s, t, -1);
    }
}

static double
down_take(Down *s)
{
    if (s->next_choice >= s->choices) {
        s->short_of_draws = 1;
        return 0.0;
    }
    return s->choice[s->next_choice++];
}

static void
down_fail(Down *s, double t, Py_ssize_t position)
{
    s->down[position] = 1;
    if (position < s->on_duty && !s->in_outage) {
        Py_ssize_t working = s->servers, busy = s->busy < s->servers ? s->busy : s->servers;
        if (busy && (busy >= working || down_take(s) * (double)working < (double)busy)) {
            Py_ssize_t n = s->in_service_size;
            Py_ssize_t index = n == 1 ? 0 : (Py_ssize_t)(down_take(s) * (double)n);
            down_interrupt(s, t, s->in_service[index]);
        }
        down_apply(s, t);
    }
}

static void
down_clock(Down *s, double t, int64_t code, int64_t value)
{
    switch (code) {
    case CLOCK_FAIL:
        down_fail(s, t, (Py_ssize_t)value);
        break;
    case CLOCK_REPAIR:
        s->down[value] = 0;
        if (value < s->on_duty) {
            down_apply(s, t);
        }
        break;
    case CLOCK_OUTAGE_START:
        s->in_outage = 1;
        while (s->in_service_size > 0) {
            down_interrupt(s, t, s->in_service[0]);
        }
        down_apply(s, t);
        break;
    case CLOCK_OUTAGE_END:
        s->in_outage = 0;
        down_apply(s, t);
        break;
    case CLOCK_SHIFT:
        s->on_duty = (Py_ssize_t)value;
        down_apply(s, t);
        break;
    default:
        s->measured = 1;
        s->interrupted = 0;
        down_level(s, t, LEVEL_RESET, 0.0);
    }
}

static void
down_finish(Down *s)
{
    Timed top = Timed_pop(s->running, &s->running_size);
    Py_ssize_t segment = top.position;
    double *row = s->segments + 8 * segment;
    Py_ssize_t position = (Py_ssize_t)row[0];
    if (s->segment_of[position] != segment) {
        return;  /* interrupted: its completion does nothing */
    }
    down_leave_service(s, position);
    row[2] = top.t;
    row[3] = SEGMENT_DONE;
    if (s->size > 0 && s->busy <= s->servers) {
        down_serve_next(s, top.t, top.turn);
    }
    else {
        s->busy -= 1;
        if (s->busy >= s->servers) {
            down_level(s, top.t, LEVEL_CAPACITY, (double)s->busy);
        }
    }
}

static void
down_advance(Down *s, double at, int64_t turn)
{
    while (!s->overflow) {
        double change = s->upcoming < s->clocks ? s->clock_at[s->upcoming] : Py_HUGE_VAL;
        double end = s->running_size > 0 ? s->running[0].t : Py_HUGE_VAL;
        int64_t end_turn = s->running_size > 0 ? s->running[0].turn : 0;
        if (change <= end) {
            if (!(change <= at && change < s->horizon)) {
                return;
            }
            down_clock(s, change, s->clock_code[s->upcoming], s->clock_value[s->upcoming]);
            s->upcoming += 1;
        }
        else if (end < s->horizon && (end < at || (end == at && end_turn <= turn))) {
            down_finish(s);
        }
        else {
            return;
        }
    }
}

static void
down_arrive(Down *s, Py_ssize_t position)
{
    double t = s->at[position];
    if (s->fallback[position] && down_out_of_order(s)) {
        down_divert(s, position, t, 0);
        return;
    }
    if (s->busy < s->servers) {
        s->busy += 1;
        down_serve(s, t, position, 0.0, s->move[position]);
        return;
    }
    down_join(s, t, position);
    s->ring[(s->head + s->size) % s->ring_cap] = position;
    s->size += 1;
}

PyDoc_STRVAR(unreliable_starts_doc,
"unreliable_starts(arrivals, kinds, turns, moves, fallback, servers, positions, resumes,\n"
"                  horizon, warmup, clock, draws, outputs) -> (int, int, int, int, int) | None\n\n"
"A first-come-first-served station that can be out of order, swept over its clock and its\n"
"customers (see portsim.engine.breakdown_sweep.python_unreliable_starts, its twin).\n"
"clock = (times, codes, values); draws = (offsets, services, choices); outputs = (segments\n"
"[rows of 8], stays [rows of 4], diverted [rows of 4], levels [rows of 3]). Returns the rows\n"
"written of each and the interruptions since the warm-up, or None when a block of draws ran\n"
"out.");

static PyObject *
unreliable_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[15], *clock, *draws, *outputs;
    Py_ssize_t servers, positions;
    int resumes;
    double horizon, warmup;
    if (!PyArg_ParseTuple(args, "OOOOOnnpddO!O!O!:unreliable_starts", &objects[0],
                          &objects[1], &objects[2], &objects[3], &objects[4], &servers,
                          &positions, &resumes, &horizon, &warmup, &PyTuple_Type, &clock,
                          &PyTuple_Type, &draws, &PyTuple_Type, &outputs)
        || !PyArg_ParseTuple(clock, "OOO:clock", &objects[5], &objects[6], &objects[7])
        || !PyArg_ParseTuple(draws, "OOO:draws", &objects[8], &objects[9], &objects[10])
        || !PyArg_ParseTuple(outputs, "OOOO:outputs", &objects[11], &objects[12],
                             &objects[13], &objects[14])) {
        return NULL;
    }
    static const char *names[15] = {
        "arrivals", "kinds", "turns", "moves", "fallback", "clock times", "clock codes",
        "clock values", "offsets", "services", "choices", "segments", "stays", "diverted",
        "levels"};
    static const int integral[15] = {0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0};
    Py_buffer views[15];
    int held = 0;
    for (; held < 15; held++) {
        int written = held >= 11;
        int failed = integral[held]
            ? int64s_as(objects[held], &views[held], written, names[held])
            : doubles(objects[held], &views[held], written, names[held]);
        if (failed != 0) {
            break;
        }
    }
    Down s;
    memset(&s, 0, sizeof s);
    if (held < 15) {
        goto done;
    }
    Py_ssize_t length[15];
    for (int k = 0; k < 15; k++) {
        length[k] = views[k].len / views[k].itemsize;
    }
    Py_ssize_t count = length[0], classes = length[8] - 1;
    int fits = length[1] == count && length[2] == count && length[3] == count
               && length[4] == count && length[6] == length[5] && length[7] == length[5]
               && classes >= 0 && offsets_fit(views[8].buf, length[8], length[9])
               && length[13] >= 4 * count && positions >= 0 && servers >= 0;
    for (Py_ssize_t i = 0; fits && i < count; i++) {
        int64_t kind = ((const int64_t *)views[1].buf)[i];
        fits = kind >= 0 && kind < classes;
    }
    for (Py_ssize_t i = 0; fits && i < length[5]; i++) {
        int64_t code = ((const int64_t *)views[6].buf)[i];
        int64_t value = ((const int64_t *)views[7].buf)[i];
        fits = code >= CLOCK_FAIL && code <= CLOCK_WARMUP
               && (code > CLOCK_REPAIR || (value >= 0 && value < positions))
               && (code != CLOCK_SHIFT || value >= 0);
    }
    if (!fits) {
        PyErr_SetString(PyExc_ValueError,
                        "unreliable_starts: the arrays do not fit together (lengths, offsets, "
                        "classes or clock events out of range)");
        goto done;
    }
    s.at = views[0].buf; s.kind = views[1].buf; s.turn = views[2].buf;
    s.move = views[3].buf; s.fallback = views[4].buf;
    s.clock_at = views[5].buf; s.clock_code = views[6].buf; s.clock_value = views[7].buf;
    s.clocks = length[5];
    s.offsets = views[8].buf; s.service = views[9].buf;
    s.choice = views[10].buf; s.choices = length[10];
    s.segments = views[11].buf; s.segment_cap = length[11] / 8;
    s.stays = views[12].buf; s.stay_cap = length[12] / 4;
    s.diverted = views[13].buf; s.diverted_cap = length[13] / 4;
    s.levels = views[14].buf; s.level_cap = length[14] / 3;
    s.count = count;
    s.positions = positions;
    s.on_duty = s.servers = servers;
    s.resumes = resumes;
    s.measured = warmup <= 0;
    s.horizon = horizon;
    s.running_cap = s.segment_cap + 1;
    s.ring_cap = count + 1;
    s.running = PyMem_Malloc((size_t)s.running_cap * sizeof(Timed));
    s.in_service = PyMem_Malloc((size_t)(count + 1) * sizeof(Py_ssize_t));
    s.segment_of = PyMem_Malloc((size_t)(count + 1) * sizeof(Py_ssize_t));
    s.stay_of = PyMem_Malloc((size_t)(count + 1) * sizeof(Py_ssize_t));
    s.next_service = PyMem_Malloc((size_t)(classes + 1) * sizeof(Py_ssize_t));
    s.end_of = PyMem_Malloc((size_t)(count + 1) * sizeof(double));
    s.rest = PyMem_Malloc((size_t)(count + 1) * sizeof(double));
    s.ring = PyMem_Malloc((size_t)s.ring_cap * sizeof(Py_ssize_t));
    s.down = PyMem_Calloc((size_t)positions + 1, 1);
    s.started = PyMem_Calloc((size_t)count + 1, 1);
    s.has_rest = PyMem_Calloc((size_t)count + 1, 1);
    if (s.running == NULL || s.in_service == NULL || s.segment_of == NULL
        || s.stay_of == NULL || s.next_service == NULL || s.end_of == NULL || s.rest == NULL
        || s.ring == NULL || s.down == NULL || s.started == NULL || s.has_rest == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < classes; k++) {
        s.next_service[k] = (Py_ssize_t)s.offsets[k];
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        s.segment_of[i] = -1;
        s.stay_of[i] = -1;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count && !s.overflow; i++) {
        down_advance(&s, s.at[i], s.move[i]);
        down_arrive(&s, i);
    }
    down_advance(&s, horizon, -1);
    Py_END_ALLOW_THREADS
    if (s.overflow) {
        PyErr_SetString(PyExc_ValueError,
                        "unreliable_starts: an output has too few rows for the sweep");
    }
done:
    PyMem_Free(s.running);
    PyMem_Free(s.in_service);
    PyMem_Free(s.segment_of);
    PyMem_Free(s.stay_of);
    PyMem_Free(s.next_service);
    PyMem_Free(s.end_of);
    PyMem_Free(s.rest);
    PyMem_Free(s.ring);
    PyMem_Free(s.down);
    PyMem_Free(s.started);
    PyMem_Free(s.has_rest);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (s.short_of_draws) {
        Py_RETURN_NONE;
    }
    return Py_BuildValue("nnnnn", s.segment_n, s.stay_n, s.diverted_n, s.level_n,
                         s.interrupted);
}

/* The booking sweep (portsim.engine.booking_sweep.BookingSweep): a station that takes bookings
 * ahead of arrival, with servers on call for them. Services in progress by (end, their
 * customer's turn), as the twin's heap of tuples compares them (turns are distinct); the
 * queue and the bookings waiting are FIFO rings. */
enum { BOOKING_WAITING = 1, BOOKING_HELD = 2, BOOKING_HERE = 3, BOOKING_HELD_ON_CALL = 4 };

typedef struct {
    const int64_t *kind, *own, *booker;
    const double *services;
    Py_ssize_t service_count;
    int64_t *taken, *booking_of, *order, *on_duty, *state;
    double *starts, *service, *since, *held_at;
    Py_ssize_t *queue, *bookings;
    Py_ssize_t queue_head, queue_size, bookings_head, bookings_size, capacity, booking_cap;
    Running *running;
    Py_ssize_t running_size, started;
    int64_t busy, servers, on_call_busy, on_call_total;
    double horizon;
    int short_of_services;
} Booked;

static void
booked_serve(Booked *b, Py_ssize_t position, double at, int on_duty)
{
    int64_t kind = b->kind[position];
    if (b->taken[kind] >= b->service_count) {
        b->short_of_services = 1;
        return;
    }
    double service = b->services[b->taken[kind]];
    b->taken[kind] += 1;
    b->starts[b->started] = at;
    b->order[b->started] = (int64_t)position;
    b->started += 1;
    b->service[position] = service;
    b->on_duty[position] = on_duty;
    b->since[position] = at;
    Running item = {at + service, b->own[position], position};
    Running_push(b->running, &b->running_size, item);
}

static int
booked_on_call_free(const Booked *b)
{
    return b->on_call_busy < b->on_call_total - b->servers;
}

/* The first booking waiting, taken by a server on duty or one called in: BookingSweep's
 * _take_booking. */
static void
booked_take(Booked *b, double at, int on_duty)
{
    Py_ssize_t booking = b->bookings[b->bookings_head];
    b->bookings_head = (b->bookings_head + 1) % b->booking_cap;
    b->bookings_size -= 1;
    if (on_duty) {
        b->busy += 1;
    }
    else {
        b->on_call_busy += 1;
    }
    if (b->state[booking] == BOOKING_HERE) {
        booked_serve(b, (Py_ssize_t)b->booker[booking], at, on_duty);
    }
    else {
        b->state[booking] = on_duty ? BOOKING_HELD : BOOKING_HELD_ON_CALL;
        b->held_at[booking] = at;
    }
}

static void
booked_serve_queued(Booked *b, double at)
{
    Py_ssize_t position = b->queue[b->queue_head];
    b->queue_head = (b->queue_head + 1) % b->capacity;
    b->queue_size -= 1;
    booked_serve(b, position, at, 1);
}

/* Services ending before `at`, or at `at` in a turn not after `rank`: BookingSweep.advance. */
static void
booked_advance(Booked *b, double at, int64_t rank)
{
    while (b->running_size > 0 && !b->short_of_services) {
        Running top = b->running[0];
        if (!(top.end < b->horizon && (top.end < at || (top.end == at && top.turn <= rank)))) {
            return;
        }
        Running_pop(b->running, &b->running_size);
        if (!b->on_duty[top.position]) {
            b->on_call_busy -= 1;
            if (b->bookings_size > 0 && booked_on_call_free(b)) {
                booked_take(b, top.end, 0);
            }
        }
        else if (b->bookings_size > 0 && b->busy <= b->servers) {
            b->busy -= 1;
            booked_take(b, top.end, 1);
        }
        else if (b->queue_size > 0 && b->busy <= b->servers) {
            booked_serve_queued(b, top.end);
        }
        else {
            b->busy -= 1;
        }
    }
}

static void
booked_change(Booked *b, double at, int64_t servers)
{
    b->servers = servers;
    while (b->bookings_size > 0 && booked_on_call_free(b)) {
        booked_take(b, at, 0);
    }
    while (b->busy < b->servers && (b->bookings_size > 0 || b->queue_size > 0)) {
        if (b->bookings_size > 0) {
            booked_take(b, at, 1);
        }
        else {
            b->busy += 1;
            booked_serve_queued(b, at);
        }
    }
}

static void
booked_book(Booked *b, Py_ssize_t booking, double at)
{
    b->state[booking] = BOOKING_WAITING;
    int first = b->bookings_size == 0;
    b->bookings[(b->bookings_head + b->bookings_size) % b->booking_cap] = booking;
    b->bookings_size += 1;
    if (first && b->busy < b->servers) {
        booked_take(b, at, 1);
    }
    else if (first && booked_on_call_free(b)) {
        booked_take(b, at, 0);
    }
}

static void
booked_come(Booked *b, Py_ssize_t position, double at)
{
    int64_t booking = b->booking_of[position];
    if (booking < 0) {
        if (b->busy < b->servers) {
            b->busy += 1;
            booked_serve(b, position, at, 1);
        }
        else {
            b->queue[(b->queue_head + b->queue_size) % b->capacity] = position;
            b->queue_size += 1;
        }
        return;
    }
    int64_t state = b->state[booking];
    if (state == BOOKING_WAITING) {
        b->state[booking] = BOOKING_HERE;
        return;
    }
    booked_serve(b, position, at, state == BOOKING_HELD);
    b->since[position] = b->held_at[booking];
}

PyDoc_STRVAR(booking_starts_doc,
"booking_starts(times, ranks, what, which, kinds, own, booker, services, offsets, servers,\n"
"               on_call_total, horizon, order, starts, service, on_duty, since, state,\n"
"               held_at) -> int\n\n"
"A station that takes bookings ahead of arrival, its events swept in the event engine's\n"
"order (see portsim.engine.booking_sweep.python_booking_starts, its twin, for each array).\n"
"Returns how many started.");

static PyObject *
booking_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[17];
    Py_ssize_t servers, on_call_total;
    double horizon;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOnndOOOOOOO:booking_starts", &objects[0],
                          &objects[1], &objects[2], &objects[3], &objects[4], &objects[5],
                          &objects[6], &objects[7], &objects[8], &servers, &on_call_total,
                          &horizon, &objects[9], &objects[10], &objects[11], &objects[12],
                          &objects[13], &objects[14], &objects[15])) {
        return NULL;
    }
    const char *names[16] = {"times", "ranks", "what", "which", "kinds", "own", "booker",
                             "services", "offsets", "order", "starts", "service", "on_duty",
                             "since", "state", "held_at"};
    const int integral[16] = {0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0};
    /* the events, the customers, the bookings, the services, the classes: each input's group */
    const int group[16] = {0, 0, 0, 0, 1, 1, 2, 3, 4, 1, 1, 1, 1, 1, 2, 2};
    Py_buffer views[16];
    Py_ssize_t length[16];
    int held = 0;
    for (; held < 16; held++) {
        int written = held >= 9;
        int failed = integral[held]
            ? int64s_as(objects[held], &views[held], written, names[held])
            : doubles(objects[held], &views[held], written, names[held]);
        if (failed != 0) {
            break;
        }
        length[held] = views[held].len / views[held].itemsize;
    }
    Booked b;
    memset(&b, 0, sizeof b);
    if (held < 16) {
        goto done;
    }
    int fits = 1;
    for (int k = 0; k < 16; k++) {
        int first = 0;  /* the first array of its group: all of a group are as long */
        while (group[first] != group[k]) {
            first += 1;
        }
        fits = fits && length[k] == length[first];
    }
    Py_ssize_t events = length[0], count = length[4], bookings = length[6];
    Py_ssize_t classes = length[8];
    const int64_t *what = views[2].buf, *which = views[3].buf, *kinds = views[4].buf;
    const int64_t *booker = views[6].buf, *offsets = views[8].buf;
    for (Py_ssize_t i = 0; fits && i < events; i++) {
        fits = (what[i] == 0 && which[i] >= 0) || (what[i] == 1 && which[i] >= 0
               && which[i] < bookings) || (what[i] == 2 && which[i] >= 0 && which[i] < count);
    }
    for (Py_ssize_t i = 0; fits && i < count; i++) {
        fits = kinds[i] >= 0 && kinds[i] < classes;
    }
    for (Py_ssize_t j = 0; fits && j < bookings; j++) {
        fits = booker[j] >= -1 && booker[j] < count;
    }
    for (Py_ssize_t k = 0; fits && k < classes; k++) {
        fits = offsets[k] >= 0;
    }
    if (!fits) {
        PyErr_SetString(PyExc_ValueError,
                        "booking_starts: the arrays do not fit together (lengths, events, "
                        "classes or bookings out of range)");
        goto done;
    }
    b.kind = kinds; b.own = views[5].buf; b.booker = booker;
    b.services = views[7].buf; b.service_count = length[7];
    b.order = views[9].buf; b.starts = views[10].buf; b.service = views[11].buf;
    b.on_duty = views[12].buf; b.since = views[13].buf; b.state = views[14].buf;
    b.held_at = views[15].buf;
    b.servers = servers;
    b.on_call_total = on_call_total;
    b.horizon = horizon;
    b.capacity = count + 1;
    b.booking_cap = bookings + 1;
    b.taken = PyMem_Malloc((size_t)(classes + 1) * sizeof(int64_t));
    b.booking_of = PyMem_Malloc((size_t)(count + 1) * sizeof(int64_t));
    b.queue = PyMem_Malloc((size_t)b.capacity * sizeof(Py_ssize_t));
    b.bookings = PyMem_Malloc((size_t)b.booking_cap * sizeof(Py_ssize_t));
    b.running = PyMem_Malloc((size_t)(count + 1) * sizeof(Running));
    if (b.taken == NULL || b.booking_of == NULL || b.queue == NULL || b.bookings == NULL
        || b.running == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < classes; k++) {
        b.taken[k] = offsets[k];
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        b.booking_of[i] = -1;
        b.service[i] = Py_NAN;
        b.on_duty[i] = 1;
        b.since[i] = Py_NAN;
    }
    for (Py_ssize_t j = 0; j < bookings; j++) {
        b.state[j] = 0;
        b.held_at[j] = Py_NAN;
        if (booker[j] >= 0) {
            b.booking_of[booker[j]] = j;
        }
    }
    const double *times = views[0].buf;
    const int64_t *ranks = views[1].buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < events && !b.short_of_services; i++) {
        double at = times[i];
        if (!(at < horizon)) {
            break;
        }
        booked_advance(&b, at, ranks[i]);
        if (what[i] == 0) {
            booked_change(&b, at, which[i]);
        }
        else if (what[i] == 1) {
            booked_book(&b, (Py_ssize_t)which[i], at);
        }
        else {
            booked_come(&b, (Py_ssize_t)which[i], at);
        }
    }
    booked_advance(&b, horizon, -1);
    Py_END_ALLOW_THREADS
    if (b.short_of_services) {
        PyErr_SetString(PyExc_ValueError, "booking_starts: a class has too few services");
    }
done:
    PyMem_Free(b.taken);
    PyMem_Free(b.booking_of);
    PyMem_Free(b.queue);
    PyMem_Free(b.bookings);
    PyMem_Free(b.running);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyLong_FromSsize_t(b.started);
}

/* ------------------------------------------------------------------------------------------
 * A station of skilled server pools, or whose customers give up and try again (retrials):
 * pooled_starts, the twin of portsim.engine.kernels_pools.python_pooled_starts (PooledSweep).
 */

/* Services in progress by (end, turn, position) with the pool whose server each holds;
 * patience timers by (time, turn, position, join); customers away by (time, turn, position):
 * the Python twin's tuples, compared field by field (every key is distinct). */
typedef struct { double end; int64_t turn; Py_ssize_t position; Py_ssize_t pool; } PoolRun;
typedef struct { double t; int64_t turn; Py_ssize_t position; int64_t join; } PoolTimer;

static int
pool_run_before(const PoolRun *a, const PoolRun *b)
{
    return a->end < b->end || (a->end == b->end && (a->turn < b->turn
                                                    || (a->turn == b->turn
                                                        && (a->position < b->position
                                                            || (a->position == b->position
                                                                && a->pool < b->pool)))));
}

static int
pool_timer_before(const PoolTimer *a, const PoolTimer *b)
{
    return a->t < b->t || (a->t == b->t && (a->turn < b->turn
                                            || (a->turn == b->turn
                                                && (a->position < b->position
                                                    || (a->position == b->position
                                                        && a->join < b->join)))));
}

HEAP_FUNCTIONS(PoolRun, pool_run_before)
HEAP_FUNCTIONS(PoolTimer, pool_timer_before)

/* The arrays of pooled_starts, in the order of its arguments. */
enum {
    P_AT, P_KIND, P_TURN, P_MOVE,
    P_POOL_SKILL_OFFSETS, P_POOL_SKILLS, P_POOL_SERVERS, P_PREFERRED_OFFSETS, P_PREFERRED,
    P_SKILL_OF,
    P_CLOCK_AT, P_CLOCK_POOL, P_CLOCK_SERVERS,
    P_SERVICE_OFFSETS, P_SERVICES, P_TRY_OFFSETS, P_PATIENCES, P_UNIFORMS, P_RETRY_UNIFORMS,
    P_AWAYS,
    P_PATIENT, P_BALK_AT, P_CHANCE_OFFSETS, P_CHANCES, P_RETRY,
    P_STARTS, P_ORDER, P_SERVICE_OF, P_LATEST, P_JOINED, P_GONE, P_GONE_ARRIVED, P_GONE_LEFT,
    P_GONE_HOW, P_BACK, P_BACK_AT, P_CAME, P_LEVEL_AT, P_LEVEL_WHICH, P_LEVEL_VALUE,
    P_ARRAYS
};

static const char *const pool_names[P_ARRAYS] = {
    "arrivals", "kinds", "turns", "moves", "pool_skill_offsets", "pool_skills",
    "pool_servers", "preferred_offsets", "preferred", "skill_of", "clock times",
    "clock pools", "clock servers", "service_offsets", "services", "try_offsets",
    "patiences", "uniforms", "retry_uniforms", "aways", "patient", "balk_at",
    "chance_offsets", "chances", "retry", "starts", "order", "service_of", "latest",
    "joined", "gone", "gone_arrived", "gone_left", "gone_how", "back", "back_at", "came",
    "level_at", "level_which", "level_value"};
static const int pool_integral[P_ARRAYS] = {
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0,
    0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1};

/* The levels a pooled station sets (kernels_pools.LEVEL_SERVERS, LEVEL_CAPACITY). */
enum { LEVEL_ON_DUTY = 0, LEVEL_AVAILABLE = 1 };

typedef struct {
    const double *at, *clock_at, *service, *patience, *uniform, *retry_uniform, *away, *chance,
        *retry;
    const int64_t *kind, *turn, *move, *pool_skill_offset, *pool_skill, *preferred_offset,
        *preferred, *skill_of, *clock_pool, *clock_servers, *service_offset, *try_offset,
        *patient, *balk_at, *chance_offset;
    double *starts, *service_of, *latest, *gone_arrived, *gone_left, *back_at, *came,
        *level_at;
    int64_t *order, *joined, *gone, *gone_how, *back, *level_which, *level_value;
    Py_ssize_t clocks, upcoming, room, level_room;
    double horizon;
    int64_t *pool_busy, *pool_servers, busy, servers, joins, live_count;
    int64_t *live, *line_head, *line_tail, *line_next, *line_position;
    Py_ssize_t *next_service, *next_patience, *next_uniform, *next_retry, *next_away;
    PoolRun *running;
    PoolTimer *timers;
    Timed *returning;
    Py_ssize_t running_n, timers_n, returning_n;
    Py_ssize_t started, lost, returned, tries, levels;
    int ran_out;
} Pooled;

/* The next variate of a class's block at `cursor` (below `end`), or a run-out. */
static double
pooled_draw(Pooled *s, const double *values, Py_ssize_t *cursor, Py_ssize_t end)
{
    if (*cursor >= end) {
        s->ran_out = 1;
        return 0.0;
    }
    return values[(*cursor)++];
}

static void
pooled_level(Pooled *s, double at, int64_t which, int64_t value)
{
    if (s->levels >= s->level_room) {
        s->ran_out = 1;
        return;
    }
    s->level_at[s->levels] = at;
    s->level_which[s->levels] = which;
    s->level_value[s->levels++] = value;
}

static void
pooled_start(Pooled *s, double at, Py_ssize_t position, Py_ssize_t pool)
{
    int64_t kind = s->kind[position];
    double service = pooled_draw(s, s->service, &s->next_service[kind],
                                 (Py_ssize_t)s->service_offset[kind + 1]);
    if (s->ran_out) {
        return;
    }
    s->service_of[position] = service;
    s->order[s->started] = position;
    s->starts[s->started++] = at;
    PoolRun run = {at + service, s->turn[position], position, pool};
    PoolRun_push(s->running, &s->running_n, run);
}

/* The oldest head of the lines of `pool`'s skills, taken (-1: nobody waits for it). */
static Py_ssize_t
pooled_take_for(Pooled *s, Py_ssize_t pool)
{
    int64_t best = -1, best_join = 0;
    for (int64_t k = s->pool_skill_offset[pool]; k < s->pool_skill_offset[pool + 1]; k++) {
        int64_t skill = s->pool_skill[k];
        int64_t join = s->line_head[skill];
        while (join != 0 && s->live[s->line_position[join]] != join) {
            join = s->line_head[skill] = s->line_next[join];
        }
        if (join == 0) {
            s->line_tail[skill] = 0;
        }
        else if (best < 0 || join < best_join) {
            best = skill;
            best_join = join;
        }
    }
    if (best < 0) {
        return -1;
    }
    s->line_head[best] = s->line_next[best_join];
    if (s->line_head[best] == 0) {
        s->line_tail[best] = 0;
    }
    Py_ssize_t position = (Py_ssize_t)s->line_position[best_join];
    s->live[position] = 0;
    s->live_count -= 1;
    return position;
}

/* Rule.balks on the class's blocks. */
static int
pooled_balks(Pooled *s, int64_t kind, int64_t waiting)
{
    if (s->balk_at[kind] >= 0 && waiting >= s->balk_at[kind]) {
        return 1;
    }
    int64_t low = s->chance_offset[kind], high = s->chance_offset[kind + 1];
    if (low == high) {
        return 0;
    }
    double chance = s->chance[low + (waiting < high - low - 1 ? waiting : high - low - 1)];
    if (chance >= 1.0) {
        return 1;
    }
    if (!(chance > 0.0)) {
        return 0;
    }
    return pooled_draw(s, s->uniform, &s->next_uniform[kind],
                       (Py_ssize_t)s->try_offset[kind + 1]) < chance;
}

/* A customer balked or gave up at `at`: a row of `gone`; it comes back later or leaves. */
static void
pooled_gone(Pooled *s, Py_ssize_t position, double arrived, double at, int reneged)
{
    int64_t kind = s->kind[position];
    double retry = s->retry[kind];
    Py_ssize_t end = (Py_ssize_t)s->try_offset[kind + 1];
    int back = retry > 0.0
        && (retry >= 1.0 || pooled_draw(s, s->retry_uniform, &s->next_retry[kind], end) < retry);
    if (s->ran_out || s->lost >= s->room) {
        s->ran_out = 1;
        return;
    }
    s->gone[s->lost] = position;
    s->gone_arrived[s->lost] = arrived;
    s->gone_left[s->lost] = at;
    s->gone_how[s->lost++] = (reneged ? 2 : 1) + (back ? 0 : 4);
    if (back) {
        double away = pooled_draw(s, s->away, &s->next_away[kind], end);
        Timed item = {at + away, s->turn[position], position};
        Timed_push(s->returning, &s->returning_n, item);
    }
}

static void
pooled_arrive(Pooled *s, double at, Py_ssize_t position)
{
    if (s->tries >= s->room) {
        s->ran_out = 1;
        return;
    }
    s->came[s->tries++] = at;
    s->latest[position] = at;
    int64_t kind = s->kind[position], skill = s->skill_of[kind];
    for (int64_t k = s->preferred_offset[skill]; k < s->preferred_offset[skill + 1]; k++) {
        int64_t pool = s->preferred[k];
        if (s->pool_busy[pool] < s->pool_servers[pool]) {
            s->pool_busy[pool] += 1;
            s->busy += 1;
            pooled_start(s, at, position, (Py_ssize_t)pool);
            return;
        }
    }
    if (pooled_balks(s, kind, s->live_count)) {
        pooled_gone(s, position, at, at, 0);
        return;
    }
    int64_t join = ++s->joins;  /* joins <= tries <= room: the lines hold room + 1 */
    s->line_position[join] = position;
    s->line_next[join] = 0;
    if (s->line_tail[skill] != 0) {
        s->line_next[s->line_tail[skill]] = join;
    }
    else {
        s->line_head[skill] = join;
    }
    s->line_tail[skill] = join;
    s->live[position] = join;
    s->live_count += 1;
    if (s->patient[kind]) {
        double patience = pooled_draw(s, s->patience, &s->next_patience[kind],
                                      (Py_ssize_t)s->try_offset[kind + 1]);
        PoolTimer timer = {at + patience, s->turn[position], position, join};
        PoolTimer_push(s->timers, &s->timers_n, timer);
    }
}

static void
pooled_finish(Pooled *s, double end)
{
    PoolRun run = PoolRun_pop(s->running, &s->running_n);
    Py_ssize_t pool = run.pool;
    Py_ssize_t position = s->pool_busy[pool] <= s->pool_servers[pool]
        ? pooled_take_for(s, pool) : -1;
    if (position >= 0) {
        pooled_start(s, end, position, pool);
        return;
    }
    s->pool_busy[pool] -= 1;
    s->busy -= 1;
    if (s->busy >= s->servers) {
        pooled_level(s, end, LEVEL_AVAILABLE, s->busy);
    }
}

static void
pooled_renege(Pooled *s)
{
    PoolTimer timer = PoolTimer_pop(s->timers, &s->timers_n);
    if (s->live[timer.position] != timer.join) {
        return;
    }
    s->live[timer.position] = 0;
    s->live_count -= 1;
    pooled_gone(s, timer.position, s->latest[timer.position], timer.t, 1);
}

static void
pooled_change(Pooled *s, double at)
{
    Py_ssize_t pool = (Py_ssize_t)s->clock_pool[s->upcoming];
    int64_t servers = s->clock_servers[s->upcoming++];
    s->servers += servers - s->pool_servers[pool];
    s->pool_servers[pool] = servers;
    pooled_level(s, at, LEVEL_ON_DUTY, s->servers);
    pooled_level(s, at, LEVEL_AVAILABLE, s->servers > s->busy ? s->servers : s->busy);
    while (!s->ran_out && s->pool_busy[pool] < servers) {
        Py_ssize_t position = pooled_take_for(s, pool);
        if (position < 0) {
            break;
        }
        s->pool_busy[pool] += 1;
        s->busy += 1;
        pooled_start(s, at, position, pool);
    }
}

/* PooledSweep.advance: every event before a move at `at` in turn `turn`. */
static void
pooled_advance(Pooled *s, double at, int64_t turn)
{
    while (!s->ran_out) {
        double change = s->upcoming < s->clocks ? s->clock_at[s->upcoming] : Py_HUGE_VAL;
        double first = Py_HUGE_VAL;
        int64_t first_turn = 0;
        int which = 0;
        if (s->running_n > 0) {
            first = s->running[0].end;
            first_turn = s->running[0].turn;
        }
        if (s->timers_n > 0 && (s->timers[0].t < first || (s->timers[0].t == first
                                                           && s->timers[0].turn < first_turn))) {
            first = s->timers[0].t;
            first_turn = s->timers[0].turn;
            which = 1;
        }
        if (s->returning_n > 0
            && (s->returning[0].t < first || (s->returning[0].t == first
                                              && s->returning[0].turn < first_turn))) {
            first = s->returning[0].t;
            first_turn = s->returning[0].turn;
            which = 2;
        }
        if (change <= first) {
            if (!(change <= at && change < s->horizon)) {
                return;
            }
            pooled_change(s, change);
        }
        else if (!(first < s->horizon && (first < at || (first == at && first_turn <= turn)))) {
            return;
        }
        else if (which == 0) {
            pooled_finish(s, first);
        }
        else if (which == 1) {
            pooled_renege(s);
        }
        else {
            Timed item = Timed_pop(s->returning, &s->returning_n);
            if (s->returned >= s->room) {
                s->ran_out = 1;
                return;
            }
            s->back[s->returned] = item.position;
            s->back_at[s->returned++] = first;
            pooled_arrive(s, first, item.position);
        }
    }
}

static Py_ssize_t
pool_length(const Py_buffer *views, int index)
{
    return views[index].len / (Py_ssize_t)views[index].itemsize;
}

/* Offsets that start at 0, never fall and end at the length of what they cut. */
static int
pool_offsets_fit(const Py_buffer *views, int offsets, Py_ssize_t parts, Py_ssize_t total)
{
    const int64_t *cut = views[offsets].buf;
    if (pool_length(views, offsets) != parts + 1 || cut[0] != 0 || cut[parts] != total) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < parts; k++) {
        if (cut[k + 1] < cut[k]) {
            return 0;
        }
    }
    return 1;
}

static int
pool_values_fit(const Py_buffer *views, int index, int64_t below)
{
    const int64_t *values = views[index].buf;
    for (Py_ssize_t k = 0; k < pool_length(views, index); k++) {
        if (values[k] < 0 || values[k] >= below) {
            return 0;
        }
    }
    return 1;
}

/* Whether the arrays of pooled_starts fit together (lengths, offsets, indices in range). */
static int
pooled_fits(const Py_buffer *views)
{
    Py_ssize_t pools = pool_length(views, P_POOL_SERVERS);
    Py_ssize_t skills = pool_length(views, P_PREFERRED_OFFSETS) - 1;
    Py_ssize_t classes = pool_length(views, P_SKILL_OF);
    Py_ssize_t tries = pool_length(views, P_PATIENCES);
    const int same[][2] = {
        {P_KIND, P_AT}, {P_TURN, P_AT}, {P_MOVE, P_AT}, {P_STARTS, P_AT}, {P_ORDER, P_AT},
        {P_SERVICE_OF, P_AT}, {P_LATEST, P_AT}, {P_JOINED, P_AT},
        {P_CLOCK_POOL, P_CLOCK_AT}, {P_CLOCK_SERVERS, P_CLOCK_AT},
        {P_UNIFORMS, P_PATIENCES}, {P_RETRY_UNIFORMS, P_PATIENCES}, {P_AWAYS, P_PATIENCES},
        {P_PATIENT, P_SKILL_OF}, {P_BALK_AT, P_SKILL_OF}, {P_RETRY, P_SKILL_OF},
        {P_GONE_ARRIVED, P_GONE}, {P_GONE_LEFT, P_GONE}, {P_GONE_HOW, P_GONE},
        {P_BACK, P_GONE}, {P_BACK_AT, P_GONE}, {P_CAME, P_GONE},
        {P_LEVEL_WHICH, P_LEVEL_AT}, {P_LEVEL_VALUE, P_LEVEL_AT}};
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++) {
        if (pool_length(views, same[k][0]) != pool_length(views, same[k][1])) {
            return 0;
        }
    }
    return skills >= 0
        && pool_offsets_fit(views, P_POOL_SKILL_OFFSETS, pools,
                            pool_length(views, P_POOL_SKILLS))
        && pool_offsets_fit(views, P_PREFERRED_OFFSETS, skills,
                            pool_length(views, P_PREFERRED))
        && pool_offsets_fit(views, P_SERVICE_OFFSETS, classes, pool_length(views, P_SERVICES))
        && pool_offsets_fit(views, P_TRY_OFFSETS, classes, tries)
        && pool_offsets_fit(views, P_CHANCE_OFFSETS, classes, pool_length(views, P_CHANCES))
        && pool_values_fit(views, P_KIND, classes) && pool_values_fit(views, P_SKILL_OF, skills)
        && pool_values_fit(views, P_POOL_SKILLS, skills)
        && pool_values_fit(views, P_PREFERRED, pools)
        && pool_values_fit(views, P_CLOCK_POOL, pools);
}

/* Point the sweep at its arrays and allocate its heaps, lines and cursors (0 on no memory). */
static int
pooled_setup(Pooled *s, const Py_buffer *views, double horizon)
{
    Py_ssize_t count = pool_length(views, P_AT);
    Py_ssize_t pools = pool_length(views, P_POOL_SERVERS);
    Py_ssize_t skills = pool_length(views, P_PREFERRED_OFFSETS) - 1;
    Py_ssize_t classes = pool_length(views, P_SKILL_OF);
    s->at = views[P_AT].buf; s->kind = views[P_KIND].buf; s->turn = views[P_TURN].buf;
    s->move = views[P_MOVE].buf;
    s->pool_skill_offset = views[P_POOL_SKILL_OFFSETS].buf;
    s->pool_skill = views[P_POOL_SKILLS].buf;
    s->preferred_offset = views[P_PREFERRED_OFFSETS].buf;
    s->preferred = views[P_PREFERRED].buf; s->skill_of = views[P_SKILL_OF].buf;
    s->clock_at = views[P_CLOCK_AT].buf; s->clock_pool = views[P_CLOCK_POOL].buf;
    s->clock_servers = views[P_CLOCK_SERVERS].buf;
    s->clocks = pool_length(views, P_CLOCK_AT);
    s->service_offset = views[P_SERVICE_OFFSETS].buf; s->service = views[P_SERVICES].buf;
    s->try_offset = views[P_TRY_OFFSETS].buf; s->patience = views[P_PATIENCES].buf;
    s->uniform = views[P_UNIFORMS].buf; s->retry_uniform = views[P_RETRY_UNIFORMS].buf;
    s->away = views[P_AWAYS].buf;
    s->patient = views[P_PATIENT].buf; s->balk_at = views[P_BALK_AT].buf;
    s->chance_offset = views[P_CHANCE_OFFSETS].buf; s->chance = views[P_CHANCES].buf;
    s->retry = views[P_RETRY].buf;
    s->starts = views[P_STARTS].buf; s->order = views[P_ORDER].buf;
    s->service_of = views[P_SERVICE_OF].buf; s->latest = views[P_LATEST].buf;
    s->joined = views[P_JOINED].buf; s->gone = views[P_GONE].buf;
    s->gone_arrived = views[P_GONE_ARRIVED].buf; s->gone_left = views[P_GONE_LEFT].buf;
    s->gone_how = views[P_GONE_HOW].buf; s->back = views[P_BACK].buf;
    s->back_at = views[P_BACK_AT].buf; s->came = views[P_CAME].buf;
    s->level_at = views[P_LEVEL_AT].buf; s->level_which = views[P_LEVEL_WHICH].buf;
    s->level_value = views[P_LEVEL_VALUE].buf;
    s->room = pool_length(views, P_GONE);
    s->level_room = pool_length(views, P_LEVEL_AT);
    s->horizon = horizon;
    /* every try joins one line at most, and there are at most `room` tries */
    Py_ssize_t lines = s->room + 1;
    s->pool_busy = PyMem_Calloc((size_t)(2 * pools + 1), sizeof(int64_t));
    s->live = PyMem_Calloc((size_t)(count + 1), sizeof(int64_t));
    s->line_head = PyMem_Calloc((size_t)(2 * skills + 2 * lines + 1), sizeof(int64_t));
    s->next_service = PyMem_Malloc((size_t)(5 * classes + 1) * sizeof(Py_ssize_t));
    s->running = PyMem_Malloc((size_t)(count + 1) * sizeof(PoolRun));
    s->timers = PyMem_Malloc((size_t)(lines + 1) * sizeof(PoolTimer));
    s->returning = PyMem_Malloc((size_t)(count + 1) * sizeof(Timed));
    if (s->pool_busy == NULL || s->live == NULL || s->line_head == NULL
        || s->next_service == NULL || s->running == NULL || s->timers == NULL
        || s->returning == NULL) {
        return 0;
    }
    s->pool_servers = s->pool_busy + pools;
    s->line_tail = s->line_head + skills;
    s->line_next = s->line_tail + skills;
    s->line_position = s->line_next + lines;
    s->next_patience = s->next_service + classes;
    s->next_uniform = s->next_patience + classes;
    s->next_retry = s->next_uniform + classes;
    s->next_away = s->next_retry + classes;
    const int64_t *servers = views[P_POOL_SERVERS].buf;
    for (Py_ssize_t p = 0; p < pools; p++) {
        s->pool_servers[p] = servers[p];
        s->servers += servers[p];
    }
    for (Py_ssize_t k = 0; k < classes; k++) {
        s->next_service[k] = (Py_ssize_t)s->service_offset[k];
        s->next_patience[k] = s->next_uniform[k] = s->next_retry[k] = s->next_away[k]
            = (Py_ssize_t)s->try_offset[k];
    }
    return 1;
}

static void
pooled_free(Pooled *s)
{
    PyMem_Free(s->pool_busy);
    PyMem_Free(s->live);
    PyMem_Free(s->line_head);
    PyMem_Free(s->next_service);
    PyMem_Free(s->running);
    PyMem_Free(s->timers);
    PyMem_Free(s->returning);
}

PyDoc_STRVAR(pooled_starts_doc,
"pooled_starts(arrivals, kinds, turns, moves, layout, clock, horizon, draws, rules,\n"
"              outputs) -> (int, int, int, int, int)\n\n"
"A station's day at its skilled pools, its customers giving up and trying again: see\n"
"portsim.engine.kernels_pools.python_pooled_starts for the arrays. Returns how many\n"
"started, gave up, came back, came and levels set; (-1, 0, 0, 0, 0) when a block of draws\n"
"or outputs ran out.");

static PyObject *
pooled_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[P_ARRAYS];
    double horizon;
    if (!PyArg_ParseTuple(
            args, "OOOO(OOOOOO)(OOO)d(OOOOOOO)(OOOOO)(OOOOOOOOOOOOOOO):pooled_starts",
            &objects[0], &objects[1], &objects[2], &objects[3], &objects[4], &objects[5],
            &objects[6], &objects[7], &objects[8], &objects[9], &objects[10], &objects[11],
            &objects[12], &horizon, &objects[13], &objects[14], &objects[15], &objects[16],
            &objects[17], &objects[18], &objects[19], &objects[20], &objects[21],
            &objects[22], &objects[23], &objects[24], &objects[25], &objects[26],
            &objects[27], &objects[28], &objects[29], &objects[30], &objects[31],
            &objects[32], &objects[33], &objects[34], &objects[35], &objects[36],
            &objects[37], &objects[38], &objects[39])) {
        return NULL;
    }
    Py_buffer views[P_ARRAYS];
    int held = 0;
    for (; held < P_ARRAYS; held++) {
        int written = held >= P_STARTS;
        int failed = pool_integral[held]
            ? int64s_as(objects[held], &views[held], written, pool_names[held])
            : doubles(objects[held], &views[held], written, pool_names[held]);
        if (failed != 0) {
            break;
        }
    }
    Pooled s;
    memset(&s, 0, sizeof s);
    if (held < P_ARRAYS) {
        goto done;
    }
    if (!pooled_fits(views)) {
        PyErr_SetString(PyExc_ValueError, "pooled_starts: the arrays do not fit together "
                        "(lengths, offsets, or a class, skill or pool out of range)");
        goto done;
    }
    if (!pooled_setup(&s, views, horizon)) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t count = pool_length(views, P_AT);
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        s.service_of[i] = Py_NAN;
    }
    for (Py_ssize_t i = 0; i < count && !s.ran_out; i++) {
        pooled_advance(&s, s.at[i], s.move[i]);
        if (!s.ran_out) {
            pooled_arrive(&s, s.at[i], i);
        }
    }
    if (!s.ran_out) {
        pooled_advance(&s, horizon, -1);
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        s.joined[i] = s.live[i];
    }
    Py_END_ALLOW_THREADS
done:
    pooled_free(&s);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (s.ran_out) {
        return Py_BuildValue("nnnnn", (Py_ssize_t)-1, (Py_ssize_t)0, (Py_ssize_t)0,
                             (Py_ssize_t)0, (Py_ssize_t)0);
    }
    return Py_BuildValue("nnnnn", s.started, s.lost, s.returned, s.tries, s.levels);
}

/* ------------------------------------------------------------------------------------------
 * A shortest-queue group of first-come-first-served stations, some with queue-reactive
 * staffing (portsim.engine.fast_choices.python_group_starts, its twin): the customers in the
 * order they move, each joining the station of its visit or the one of its choice with the
 * fewest customers present per server on duty, and starting there by the recursion (or
 * the reactive station's sweep).
 */

/* A customer present at a group's station: (when its service ends, its position), as the
 * twin's heap tuples compare. */
typedef struct { double t; Py_ssize_t position; } Present;

static int
present_before(const Present *a, const Present *b)
{
    return a->t < b->t || (a->t == b->t && a->position < b->position);
}

HEAP_FUNCTIONS(Present, present_before)

/* One station of a group: the recursion's state (FifoStarts), its shift schedule (for the
 * servers on duty at a choice), its services per class, who is present, and its outputs. */
typedef struct {
    double on_duty, previous, period;
    int closed;
    const double *change_at, *change_to, *step_at, *service;
    const int64_t *step_servers, *offsets;
    Py_ssize_t changes, upcoming, steps, classes, running_size, present_size;
    Py_ssize_t joined_n, started_n;
    double *running;
    Present *present;
    Py_ssize_t *next;
    int64_t *joined;
    double *services, *starts;
    Py_buffer views[12];
    int held;
    /* a station with queue-reactive staffing: its giving-up sweep (ReactiveSweep), nobody
     * giving up; then `joined` lists who joined it, in order */
    int reactive;
    Giving react;
    int64_t *rules, *joined_own;
    double *gave_up;
    /* a station that serves by priority: priority_starts' sweep, its services by position;
     * then `joined` lists who joined it, in order, and `prio_started` marks who started */
    int by_priority;
    Sweep prio;
    unsigned char *prio_started;
} Open;

/* A station that serves by priority within a group: see the block before the methods. */
static double prio_load(Open *q, double at, int64_t move);
static void prio_join(Open *q, Py_ssize_t position, double at, double service, int64_t move);
static void prio_finish(Open *q);
static int prio_parse(PyObject *item, Open *q, Py_ssize_t count, const int64_t *own,
                      double horizon);

/* When the next customer, arriving at `at`, starts (infinity: not before the horizon):
 * FifoStarts.start. */
static double
open_start(Open *q, double at, double service, double horizon)
{
    if (q->closed) {
        return Py_HUGE_VAL;
    }
    double t = at >= q->previous ? at : q->previous;
    for (;;) {
        while (q->upcoming < q->changes && q->change_at[q->upcoming] <= t) {
            q->on_duty = q->change_to[q->upcoming];
            q->upcoming += 1;
        }
        while (q->running_size > 0 && q->running[0] <= t) {
            pop_min(q->running, &q->running_size);
        }
        if ((double)q->running_size < q->on_duty) {
            break;
        }
        double soonest = q->running_size > 0 ? q->running[0] : Py_HUGE_VAL;
        if (q->upcoming < q->changes && q->change_at[q->upcoming] < soonest) {
            soonest = q->change_at[q->upcoming];
        }
        t = soonest;
        if (t >= horizon) {
            break;
        }
    }
    if (t >= horizon) {
        q->closed = 1;
        return Py_HUGE_VAL;
    }
    q->running[q->running_size] = t + service;
    q->running_size += 1;
    sift_up(q->running, q->running_size - 1);
    q->previous = t;
    return t;
}

/* The servers the shift schedule puts on duty at `time`: ShiftSchedule.servers_at (Python's
 * float modulo, then bisect_right; an offset before the first step reads the last, as
 * Python's index -1 does). */
static double
open_servers_at(const Open *q, double time)
{
    double offset = time;
    if (q->period > 0) {
        offset = fmod(time, q->period);
        if (offset != 0.0) {
            if ((q->period < 0) != (offset < 0)) {
                offset += q->period;
            }
        }
        else {
            offset = copysign(0.0, q->period);
        }
    }
    Py_ssize_t low = 0, high = q->steps;
    while (low < high) {
        Py_ssize_t middle = (low + high) / 2;
        if (offset < q->step_at[middle]) {
            high = middle;
        }
        else {
            low = middle + 1;
        }
    }
    Py_ssize_t index = low > 0 ? low - 1 : q->steps - 1;
    return (double)q->step_servers[index];
}

/* Customers present per server on duty at `at`, as the customer at `mover` sees them (a
 * service ending at `at` is over if its customer's turn comes first): OpenQueue.load. */
static double
open_load(Open *q, double at, Py_ssize_t mover, const int64_t *own, const int64_t *moves,
          Present *staying)
{
    if (q->by_priority) {
        return prio_load(q, at, moves[mover]);
    }
    if (q->reactive) {  /* ReactiveQueue.load: everything before the move played */
        giving_advance(&q->react, at, moves[mover]);
        double on_duty = q->react.on_duty;
        Py_ssize_t present = q->react.live + q->react.running_size;
        return on_duty <= 0 ? Py_HUGE_VAL : (double)present / on_duty;
    }
    while (q->present_size > 0 && q->present[0].t < at) {
        Present_pop(q->present, &q->present_size);
    }
    if (q->present_size > 0 && q->present[0].t == at) {
        Py_ssize_t kept = 0;
        while (q->present_size > 0 && q->present[0].t == at) {
            Present ending = Present_pop(q->present, &q->present_size);
            if (!(own[ending.position] < moves[mover])) {
                staying[kept++] = ending;
            }
        }
        for (Py_ssize_t k = 0; k < kept; k++) {
            Present_push(q->present, &q->present_size, staying[k]);
        }
    }
    double servers = open_servers_at(q, at);
    return servers <= 0 ? Py_HUGE_VAL : (double)q->present_size / servers;
}

/* Hold the buffers of a station's `total` arrays in q->views (those from `first_written` on
 * writable), their lengths in `length`; 0 with a Python error on failure. */
static int
open_views(Open *q, PyObject **objects, int total, int first_written,
           const char *const *names, const int *integral, Py_ssize_t *length)
{
    for (; q->held < total; q->held++) {
        int k = q->held, written = k >= first_written;
        int failed = integral[k]
            ? int64s_as(objects[k], &q->views[k], written, names[k])
            : doubles(objects[k], &q->views[k], written, names[k]);
        if (failed != 0) {
            return 0;
        }
        length[k] = q->views[k].len / q->views[k].itemsize;
    }
    return 1;
}

/* A station's arrays, in the order of its tuple: which hold int64 and which are written. */
static const char *const open_names[9] = {
    "change_times", "change_servers", "step_offsets", "step_servers", "service_offsets",
    "services", "joined", "services out", "starts out"};
static const int open_integral[9] = {0, 0, 0, 1, 1, 0, 1, 0, 0};

/* Parse one station's tuple into `q` (its buffers held in q->views) and check that its
 * arrays fit together and hold `count` outputs; 0 with a Python error on failure. */
static int
open_parse(PyObject *item, Open *q, Py_ssize_t count)
{
    PyObject *objects[9];
    if (!PyTuple_Check(item)
        || !PyArg_ParseTuple(item, "OOOOdOOOOO:station", &objects[0], &objects[1],
                             &objects[2], &objects[3], &q->period, &objects[4], &objects[5],
                             &objects[6], &objects[7], &objects[8])) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "each station must be a tuple");
        }
        return 0;
    }
    Py_ssize_t length[9];
    if (!open_views(q, objects, 9, 6, open_names, open_integral, length)) {
        return 0;
    }
    q->change_at = q->views[0].buf; q->change_to = q->views[1].buf;
    q->step_at = q->views[2].buf; q->step_servers = q->views[3].buf;
    q->offsets = q->views[4].buf; q->service = q->views[5].buf;
    q->joined = q->views[6].buf; q->services = q->views[7].buf; q->starts = q->views[8].buf;
    q->changes = length[0];
    q->steps = length[2];
    q->classes = length[4] - 1;
    q->previous = -Py_HUGE_VAL;
    if (length[1] != length[0] || length[3] != length[2] || q->steps < 1
        || q->classes < 0 || !offsets_fit(q->offsets, length[4], length[5])
        || length[6] < count || length[7] < count || length[8] < count) {
        PyErr_SetString(PyExc_ValueError,
                        "group_starts: a station's arrays do not fit together (lengths, "
                        "offsets, a schedule without steps, outputs shorter than arrivals)");
        return 0;
    }
    q->on_duty = open_servers_at(q, 0.0);
    /* no more services run at once than servers were ever on duty, nor than customers */
    double most = q->on_duty;
    for (Py_ssize_t k = 0; k < q->changes; k++) {
        most = q->change_to[k] > most ? q->change_to[k] : most;
    }
    Py_ssize_t capacity = most < (double)count ? (Py_ssize_t)most + 1 : count + 1;
    q->running = PyMem_Malloc((size_t)capacity * sizeof(double));
    q->present = PyMem_Malloc((size_t)(count + 1) * sizeof(Present));
    q->next = PyMem_Malloc((size_t)(q->classes + 1) * sizeof(Py_ssize_t));
    if (q->running == NULL || q->present == NULL || q->next == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t k = 0; k < q->classes; k++) {
        q->next[k] = (Py_ssize_t)q->offsets[k];
    }
    return 1;
}

/* A reactive station's arrays, in the order of its tuple. */
static const char *const react_names[12] = {
    "clock times", "clock kinds", "clock values", "clock positions", "priorities",
    "service_offsets", "services", "order", "starts out", "services out", "server_times",
    "server_counts"};
static const int react_integral[12] = {0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1};

/* Parse a reactive station's tuple into `q`, its sweep reading the group's arrivals, classes
 * and turns (`at`, `kind`, `own`; `count` of them); 0 with a Python error on failure. */
static int
react_parse(PyObject *item, Open *q, Py_ssize_t count, const double *at,
            const int64_t *kind, const int64_t *own, double horizon)
{
    PyObject *objects[12];
    Giving *g = &q->react;
    Py_ssize_t servers, most;
    if (!PyArg_ParseTuple(item, "OOOOddnnOOOOOOOO:reactive station", &objects[0],
                          &objects[1], &objects[2], &objects[3], &g->open_above,
                          &g->close_below, &most, &servers, &objects[4], &objects[5],
                          &objects[6], &objects[7], &objects[8], &objects[9], &objects[10],
                          &objects[11])) {
        return 0;
    }
    Py_ssize_t length[12];
    if (!open_views(q, objects, 12, 7, react_names, react_integral, length)) {
        return 0;
    }
    q->reactive = 1;
    q->classes = length[5] - 1;
    q->offsets = q->views[5].buf;
    if (servers < 0 || length[1] != length[0] || length[2] != length[0]
        || length[3] != length[0] || length[10] < length[0] || length[11] < length[0]
        || length[4] != count || q->classes < 0
        || !offsets_fit(q->offsets, length[5], length[6]) || length[7] < count
        || length[8] < count || length[9] < count) {
        PyErr_SetString(PyExc_ValueError,
                        "group_starts: a reactive station's arrays do not fit together "
                        "(lengths, offsets, outputs shorter than arrivals or the clock)");
        return 0;
    }
    g->at = at; g->kind = kind; g->turn = own; g->priority = q->views[4].buf;
    g->change_at = q->views[0].buf; g->clock_kind = q->views[1].buf;
    g->clock_value = q->views[2].buf; g->clock_place = q->views[3].buf;
    g->changes = length[0];
    g->service = q->views[6].buf;
    g->order = q->views[7].buf; g->starts = q->views[8].buf; g->services = q->views[9].buf;
    g->server_at = q->views[10].buf; g->server_to = q->views[11].buf;
    g->max_extra = (int64_t)most;
    g->base = (int64_t)servers;
    g->on_duty = (double)servers;
    g->horizon = horizon;
    /* nobody gives up at a station of a group: no patience, no limit, no balking chances */
    q->rules = PyMem_Calloc((size_t)(3 * q->classes + 2), sizeof(int64_t));
    q->gave_up = PyMem_Malloc((size_t)(count + 1) * sizeof(double));
    q->joined_own = PyMem_Malloc((size_t)(2 * count + 1) * sizeof(int64_t));
    g->running = PyMem_Malloc((size_t)(count + 1) * sizeof(Timed));
    g->timers = PyMem_Malloc((size_t)(count + 1) * sizeof(Timed));
    g->queued = PyMem_Malloc((size_t)(count + 1) * sizeof(Queued));
    g->state = PyMem_Calloc((size_t)count + 1, 1);
    g->next_service = PyMem_Malloc((size_t)(3 * q->classes + 1) * sizeof(Py_ssize_t));
    q->next = PyMem_Malloc((size_t)(q->classes + 1) * sizeof(Py_ssize_t));
    if (q->rules == NULL || q->gave_up == NULL || q->joined_own == NULL || g->running == NULL
        || g->timers == NULL || g->queued == NULL || g->state == NULL
        || g->next_service == NULL || q->next == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    int64_t *balk_at = q->rules + q->classes;
    for (Py_ssize_t k = 0; k < q->classes; k++) {
        balk_at[k] = -1;
    }
    g->patient = q->rules;
    g->balk_at = balk_at;
    g->chance_offset = q->rules + 2 * q->classes;
    g->gone = q->joined_own + count;
    g->how = q->joined_own + count;
    g->left = q->gave_up;
    q->joined = q->joined_own;
    g->next_patience = g->next_service + q->classes;
    g->next_uniform = g->next_patience + q->classes;
    for (Py_ssize_t k = 0; k < q->classes; k++) {
        g->next_service[k] = g->next_patience[k] = g->next_uniform[k] = q->next[k]
            = (Py_ssize_t)q->offsets[k];
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        g->services[i] = Py_NAN;
    }
    return 1;
}

/* After the sweep: a reactive station's queue to the horizon, and those still queueing
 * there listed after those who started, in the order they came. */
static void
react_finish(Open *q)
{
    Giving *g = &q->react;
    giving_advance(g, g->horizon, -1);
    q->started_n = g->started;
    Py_ssize_t listed = g->started;
    for (Py_ssize_t j = 0; j < q->joined_n; j++) {
        if (g->state[q->joined[j]] == QUEUED) {
            g->order[listed++] = q->joined[j];
        }
    }
}

static void
open_free(Open *q)
{
    PyMem_Free(q->running);
    PyMem_Free(q->present);
    PyMem_Free(q->next);
    PyMem_Free(q->joined_own);
    PyMem_Free(q->rules);
    PyMem_Free(q->gave_up);
    PyMem_Free(q->react.running);
    PyMem_Free(q->react.timers);
    PyMem_Free(q->react.queued);
    PyMem_Free(q->react.state);
    PyMem_Free(q->react.next_service);
    PyMem_Free(q->prio.running);
    PyMem_Free(q->prio.queued);
    PyMem_Free(q->prio_started);
    for (int k = 0; k < q->held; k++) {
        PyBuffer_Release(&q->views[k]);
    }
}

/* Whether the choices fit: `offsets` (of `nodes` + 1) run upwards from 0 to the size of
 * `stations` (no nodes: no customers), every node offers a station, each within the group,
 * each customer's node one of them. */
static int
group_fits(const int64_t *offsets, Py_ssize_t nodes, const int64_t *stations,
           Py_ssize_t offered, Py_ssize_t groups, const int64_t *source, Py_ssize_t count)
{
    if (nodes < 0 || !offsets_fit(offsets, nodes + 1, offered)) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < nodes; k++) {
        if (offsets[k + 1] == offsets[k]) {
            return 0;
        }
    }
    for (Py_ssize_t k = 0; k < offered; k++) {
        if (stations[k] < 0 || stations[k] >= groups) {
            return 0;
        }
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (source[i] < 0 || source[i] >= nodes) {
            return 0;
        }
    }
    return 1;
}

/* A FIFO station's join, the shortest-queue pick and the counts written, shared with
 * quickest_starts: see the block before the methods. */
static int open_join(Open *q, Py_ssize_t position, int64_t kind, double at, double horizon);
static Py_ssize_t shortest_choice(Open *queues, const int64_t *offered, Py_ssize_t first,
                                  Py_ssize_t last, double at, Py_ssize_t mover,
                                  const int64_t *own, const int64_t *moves, Present *staying);
static PyObject *group_written(const Open *queues, Py_ssize_t groups, int enough,
                               const char *loop);
static void group_free(Open *queues, Py_ssize_t groups);

/* The group's loop (see group_starts_doc); 0 when a class ran out of draws. */
static int
group_sweep(Open *queues, Py_ssize_t groups, Py_ssize_t count, const double *at,
            const int64_t *kind,
            const int64_t *source, const int64_t *offsets, const int64_t *offered,
            const int64_t *own, const int64_t *moves, double horizon, Present *staying)
{
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t best = shortest_choice(queues, offered, (Py_ssize_t)offsets[source[i]],
                                          (Py_ssize_t)offsets[source[i] + 1], at[i], i, own,
                                          moves, staying);
        Open *q = &queues[best];
        int64_t k = kind[i];
        if (k < 0 || k >= q->classes || q->next[k] >= (Py_ssize_t)q->offsets[k + 1]) {
            return 0;
        }
        if (q->reactive) {  /* ReactiveQueue.join: its sweep draws services as they start */
            q->next[k] += 1;
            giving_advance(&q->react, at[i], moves[i]);
            giving_arrive(&q->react, i);
            q->joined[q->joined_n++] = (int64_t)i;
            continue;
        }
        if (q->by_priority) {
            prio_join(q, i, at[i], q->service[q->next[k]++], moves[i]);
            continue;
        }
        if (!open_join(q, i, k, at[i], horizon)) {
            return 0;
        }
    }
    for (Py_ssize_t g = 0; g < groups; g++) {
        if (queues[g].reactive) {
            react_finish(&queues[g]);
        }
        else if (queues[g].by_priority) {
            prio_finish(&queues[g]);
        }
    }
    return 1;
}

PyDoc_STRVAR(group_starts_doc,
"group_starts(arrivals, kinds, source, option_offsets, option_stations, own, moves, horizon,\n"
"             stations) -> list[tuple[int, int, int]]\n\n"
"A shortest-queue group of stations that serve first come first served or by priority,\n"
"some of them with queue-reactive staffing: the customers, in the order they move (at `arrivals`, of classes\n"
"`kinds`, in their own turns `own`, moving in the turns `moves`), each through node\n"
"source[i], which offers option_stations[option_offsets[n]:option_offsets[n + 1]]; with more\n"
"than one, it joins the one with the fewest customers present (queueing or in service) per\n"
"server on duty (infinity for none; ties to the first offered). At a FIFO station a service\n"
"ending at that instant is over if own[its customer] < moves[the mover], and a customer\n"
"starts by the recursion; a reactive station is swept up to the move as reactive_starts\n"
"sweeps it (nobody gives up). A FIFO station is a tuple (change_times, change_servers,\n"
"step_offsets, step_servers, period (0: none), service_offsets, services, joined, services\n"
"out, starts out): its shift schedule's changes up to the horizon and its steps; class k's\n"
"services, in the order its customers join, are services[service_offsets[k]:\n"
"service_offsets[k + 1]]; it gets who joined (positions, in order), their services and the\n"
"starts of those who started before `horizon`. A reactive station is a tuple (clock times,\n"
"clock kinds, clock values, clock positions, open_above, close_below, max_extra, servers at\n"
"0, priorities, service_offsets, services, order, starts out, services out, server_times,\n"
"server_counts): its clock and rule as reactive_starts takes them, class k's services in\n"
"the order they start; it gets who joined (those who started, in the order they did, then\n"
"those still queueing, in the order they came), the starts, each position's service (NaN:\n"
"none started) and its changes of servers. A station that serves by priority is a FIFO\n"
"station's tuple and then the group's priorities (int64, one a customer): it is swept up to\n"
"each move as priority_starts sweeps it; it gets who joined (those who started, in the order\n"
"they did, then those still queueing, in the order they came), each position's service (NaN:\n"
"did not join) and the starts. Returns (joined, started, changes) per station.");

static PyObject *
group_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[7], *stations_obj;
    double horizon;
    if (!PyArg_ParseTuple(args, "OOOOOOOdO:group_starts", &objects[0], &objects[1],
                          &objects[2], &objects[3], &objects[4], &objects[5], &objects[6],
                          &horizon, &stations_obj)) {
        return NULL;
    }
    static const char *names[7] = {"arrivals", "kinds", "source", "option_offsets",
                                   "option_stations", "own", "moves"};
    Py_buffer views[7];
    int held = 0;
    for (; held < 7; held++) {
        int failed = held == 0 ? doubles(objects[held], &views[held], 0, names[held])
                               : int64s_as(objects[held], &views[held], 0, names[held]);
        if (failed != 0) {
            break;
        }
    }
    PyObject *stations = NULL, *result = NULL;
    Open *queues = NULL;
    Present *staying = NULL;
    Py_ssize_t groups = 0;
    if (held < 7) {
        goto done;
    }
    stations = PySequence_Fast(stations_obj, "stations must be a sequence of tuples");
    if (stations == NULL) {
        goto done;
    }
    groups = PySequence_Fast_GET_SIZE(stations);
    Py_ssize_t count = views[0].len / (Py_ssize_t)sizeof(double);
    Py_ssize_t length[7];
    for (int k = 0; k < 7; k++) {
        length[k] = views[k].len / views[k].itemsize;
    }
    if (length[1] != count || length[2] != count || length[5] != count || length[6] != count
        || groups < 1
        || !group_fits(views[3].buf, length[3] - 1, views[4].buf, length[4], groups,
                       views[2].buf, count)) {
        PyErr_SetString(PyExc_ValueError,
                        "group_starts: the arrays do not fit together (lengths, or a "
                        "choice that offers no station or one outside the group)");
        groups = 0;
        goto done;
    }
    queues = PyMem_Calloc((size_t)groups, sizeof(Open));
    staying = PyMem_Malloc((size_t)(count + 1) * sizeof(Present));
    if (queues == NULL || staying == NULL) {
        PyErr_NoMemory();
        groups = 0;
        goto done;
    }
    for (Py_ssize_t g = 0; g < groups; g++) {
        PyObject *item = PySequence_Fast_GET_ITEM(stations, g);
        int parsed = PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 16
            ? react_parse(item, &queues[g], count, views[0].buf, views[1].buf, views[5].buf,
                          horizon)
            : PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 11
            ? prio_parse(item, &queues[g], count, views[5].buf, horizon)
            : open_parse(item, &queues[g], count);
        if (!parsed) {
            goto done;
        }
    }
    int enough;
    Py_BEGIN_ALLOW_THREADS
    enough = group_sweep(queues, groups, count, views[0].buf, views[1].buf, views[2].buf,
                         views[3].buf, views[4].buf, views[5].buf, views[6].buf, horizon,
                         staying);
    Py_END_ALLOW_THREADS
    result = group_written(queues, groups, enough, "group_starts");
done:
    group_free(queues, groups);
    PyMem_Free(staying);
    Py_XDECREF(stations);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    if (PyErr_Occurred()) {
        Py_XDECREF(result);
        return NULL;
    }
    return result;
}

/* ------------------------------------------------------------------------------------------
 * A station that serves by priority within a shortest-queue group (group_starts;
 * portsim.engine.fast_groups.PriorityQueue, its twin): priority_starts' sweep (Sweep,
 * sweep_advance, sweep_start), played up to each move of the group's customers.
 */

/* A customer joins a priority sweep at `at`: served at once by a free server, else queued
 * (PrioritySweep.arrive). */
static void
sweep_arrive(Sweep *s, Py_ssize_t position, double at)
{
    if ((double)s->busy < s->on_duty) {
        s->busy += 1;
        sweep_start(s, position, at);
    }
    else {
        s->joined += 1;
        Queued item = {s->priority[position], s->joined, position};
        Queued_push(s->queued, &s->queued_size, item);
    }
}

/* Customers present per server on duty at `at`, everything before a move in turn `move`
 * played (PriorityQueue.load). */
static double
prio_load(Open *q, double at, int64_t move)
{
    sweep_advance(&q->prio, at, move);
    double servers = open_servers_at(q, at);
    Py_ssize_t present = q->prio.queued_size + q->prio.running_size;
    return servers <= 0 ? Py_HUGE_VAL : (double)present / servers;
}

/* The customer at `position` joins at `at` (PriorityQueue.join). */
static void
prio_join(Open *q, Py_ssize_t position, double at, double service, int64_t move)
{
    sweep_advance(&q->prio, at, move);
    q->services[position] = service;  /* the sweep reads it as the service begins */
    q->joined[q->joined_n++] = (int64_t)position;
    sweep_arrive(&q->prio, position, at);
}

/* After the group's loop: the station to the horizon, and those still queueing there listed
 * after those who started, in the order they came. */
static void
prio_finish(Open *q)
{
    Sweep *s = &q->prio;
    sweep_advance(s, s->horizon, -1);
    q->started_n = s->started;
    for (Py_ssize_t k = 0; k < s->started; k++) {
        q->prio_started[s->order[k]] = 1;
    }
    Py_ssize_t listed = s->started;
    for (Py_ssize_t j = 0; j < q->joined_n; j++) {
        if (!q->prio_started[q->joined[j]]) {
            s->order[listed++] = q->joined[j];
        }
    }
}

/* The priority station's one array past a FIFO station's (open_views reads the tenth). */
static const char *const prio_names[10] = {[9] = "priorities"};
static const int prio_integral[10] = {[9] = 1};

/* Parse the tuple of a station that serves by priority into `q`: a FIFO station's (its
 * outputs: who joined, services by position, starts), then the group's priorities; its sweep
 * reads the group's turns `own`. 0 with a Python error on failure. */
static int
prio_parse(PyObject *item, Open *q, Py_ssize_t count, const int64_t *own, double horizon)
{
    PyObject *fifo = PyTuple_GetSlice(item, 0, 10);
    if (fifo == NULL) {
        return 0;
    }
    int parsed = open_parse(fifo, q, count);
    Py_DECREF(fifo);  /* the views hold what they read */
    PyObject *objects[10] = {NULL};
    objects[9] = PyTuple_GET_ITEM(item, 10);
    Py_ssize_t length[10];
    if (!parsed || !open_views(q, objects, 10, 10, prio_names, prio_integral, length)) {
        return 0;
    }
    if (length[9] != count) {
        PyErr_SetString(PyExc_ValueError,
                        "group_starts: a priority station's priorities are not one a customer");
        return 0;
    }
    q->by_priority = 1;
    Sweep *s = &q->prio;
    s->service = q->services;
    s->turn = own;
    s->priority = q->views[9].buf;
    s->change_at = q->change_at;
    s->change_to = q->change_to;
    s->changes = q->changes;
    s->on_duty = q->on_duty;
    s->horizon = horizon;
    s->starts = q->starts;
    s->order = q->joined;
    /* everyone may be in service at once, or queueing: one slot each, at most */
    s->running = PyMem_Malloc((size_t)(count + 1) * sizeof(Running));
    s->queued = PyMem_Malloc((size_t)(count + 1) * sizeof(Queued));
    q->joined_own = PyMem_Malloc((size_t)(count + 1) * sizeof(int64_t));
    q->prio_started = PyMem_Calloc((size_t)count + 1, 1);
    if (s->running == NULL || s->queued == NULL || q->joined_own == NULL
        || q->prio_started == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    q->joined = q->joined_own;
    PyMem_Free(q->present);  /* the sweep keeps its own: the recursion's is not needed */
    q->present = NULL;
    for (Py_ssize_t i = 0; i < count; i++) {
        q->services[i] = Py_NAN;
    }
    return 1;
}

/*
 * loop_events: the event loop of a loop of stations swept as one unit (the twin:
 * portsim.engine.kernels_loop.python_loop_events, whose module describes the arrays). Events
 * are ordered by (time, turn, a service ending before a move in one turn, order of
 * scheduling); a turn is an entity's key, compared as Entities.entry_order orders entrants
 * (when it entered, arrivals of a class before spawned members, ...; the spawner's own turn
 * for members of one batch spawned at one instant), or below zero the model's clock's.
 */
enum { LOOP_LEAVE, LOOP_BRANCH, LOOP_MILESTONE, LOOP_DELAY, LOOP_SPAWN, LOOP_VISIT };
enum { LOOP_CHANGE, LOOP_END, LOOP_MOVE };
/* The outputs (kernels_loop.OUTPUTS), each a growing buffer of 8-byte items. */
enum { LV_ENTITY, LV_STATION, LV_TIME, LV_SERVICE, LV_STEP, LS_VISIT, LS_TIME, LT_TALLY,
       LT_VALUE, LL_STEP, LL_ENTITY, LL_TIME, LL_KEY, LM_WHEN, LM_KIND, LM_AT, LM_KEY,
       LOOP_OUTPUTS };
#define LOOP_INPUTS 18
/* The turn of the shift changes: before every other, the model's own included. */
#define LOOP_CLOCK_TURN INT64_MIN

typedef struct {
    double t;
    int64_t turn, number;
    int after, action;
    int64_t what, first, second;
} LoopEvent;

typedef struct { char *data; Py_ssize_t size, room; } LoopOut;

typedef struct {
    const int64_t *steps, *targets, *offsets, *spawned_by, *kind;
    const double *cumulative, *draws, *entered, *spawned_at, *arrived;
    Py_ssize_t step_count, branch_count, stream_count, first_member, spawned_count;
    int64_t *next_draw, *on_duty, *busy, *joined;
    Queued **waiting;
    Py_ssize_t *waiting_size, *waiting_room, places;
    LoopEvent *events;
    Py_ssize_t event_count, event_room;
    int64_t scheduled, limit;
    double horizon, warmup;
    double *scratch;
    Py_ssize_t scratch_room;
    LoopOut out[LOOP_OUTPUTS];
    int status;  /* 0 running, 1 a stream ran short, 2 over the entity limit, 3 out of memory */
    int64_t detail, extra;
} LoopSweep;

#define LOOP_Q(s, k) ((int64_t *)(s)->out[k].data)
#define LOOP_D(s, k) ((double *)(s)->out[k].data)
#define LOOP_N(s, k) ((s)->out[k].size / 8)

static int
loop_grow(void **data, Py_ssize_t *room, Py_ssize_t needed, size_t item)
{
    if (needed <= *room) {
        return 1;
    }
    if (needed > PY_SSIZE_T_MAX / (Py_ssize_t)item / 2) {
        return 0;
    }
    Py_ssize_t bigger = *room < 32 ? 64 : 2 * *room;
    if (bigger < needed) {
        bigger = needed;
    }
    void *grown = PyMem_RawRealloc(*data, (size_t)bigger * item);
    if (grown == NULL) {
        return 0;
    }
    *data = grown;
    *room = bigger;
    return 1;
}

static int
loop_put(LoopSweep *s, int k, const void *value)
{
    LoopOut *out = &s->out[k];
    Py_ssize_t room = out->room / 8;
    void *data = out->data;
    if (!loop_grow(&data, &room, out->size / 8 + 1, 8)) {
        s->status = 3;
        return 0;
    }
    out->data = data;
    out->room = room * 8;
    memcpy(out->data + out->size, value, 8);
    out->size += 8;
    return 1;
}

static int
loop_put_q(LoopSweep *s, int k, int64_t value)
{
    return loop_put(s, k, &value);
}

static int
loop_put_d(LoopSweep *s, int k, double value)
{
    return loop_put(s, k, &value);
}

/* Compare the turns of keys a and b as the twin compares its turn tuples: -1, 0 or 1. */
static int
loop_turn_order(const LoopSweep *s, int64_t a, int64_t b)
{
    if (a == b) {
        return 0;
    }
    if (a < 0 || b < 0) {
        return (a < 0 && b < 0) ? (a < b ? -1 : 1) : (a < 0 ? -1 : 1);
    }
    double entered[2], at[2];
    int64_t by[2], kind[2];
    int64_t keys[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        int64_t key = keys[i];
        if (key >= s->first_member) {
            Py_ssize_t m = (Py_ssize_t)(key - s->first_member);
            entered[i] = LOOP_D(s, LM_WHEN)[m];
            by[i] = LOOP_Q(s, LM_KEY)[m];
            kind[i] = LOOP_Q(s, LM_KIND)[m];
            at[i] = LOOP_D(s, LM_AT)[m];
        }
        else {
            int spawned = key < s->spawned_count;
            entered[i] = s->entered[key];
            by[i] = spawned ? s->spawned_by[key] : -1;
            kind[i] = s->kind[key];
            at[i] = spawned ? s->spawned_at[key] : 0.0;
        }
    }
    if (entered[0] != entered[1]) {
        return entered[0] < entered[1] ? -1 : 1;
    }
    if ((by[0] >= 0) != (by[1] >= 0)) {
        return by[0] < 0 ? -1 : 1;
    }
    if (by[0] < 0) {
        if (kind[0] != kind[1]) {
            return kind[0] < kind[1] ? -1 : 1;
        }
    }
    else {
        if (at[0] != at[1]) {
            return at[0] < at[1] ? -1 : 1;
        }
        int order = loop_turn_order(s, by[0], by[1]);
        if (order != 0) {
            return order;
        }
    }
    return a < b ? -1 : 1;
}

static int
loop_before(const LoopSweep *s, const LoopEvent *a, const LoopEvent *b)
{
    if (a->t != b->t) {
        return a->t < b->t;
    }
    if (a->turn != b->turn) {
        return loop_turn_order(s, a->turn, b->turn) < 0;
    }
    if (a->after != b->after) {
        return a->after < b->after;
    }
    return a->number < b->number;
}

static int
loop_push(LoopSweep *s, double t, int64_t turn, int after, int action, int64_t what,
          int64_t first, int64_t second)
{
    void *data = s->events;
    if (!loop_grow(&data, &s->event_room, s->event_count + 1, sizeof(LoopEvent))) {
        s->status = 3;
        return 0;
    }
    s->events = data;
    LoopEvent item = {t, turn, ++s->scheduled, after, action, what, first, second};
    Py_ssize_t position = s->event_count++;
    while (position > 0) {
        Py_ssize_t parent = (position - 1) / 2;
        if (!loop_before(s, &item, &s->events[parent])) {
            break;
        }
        s->events[position] = s->events[parent];
        position = parent;
    }
    s->events[position] = item;
    return 1;
}

static LoopEvent
loop_pop(LoopSweep *s)
{
    LoopEvent *heap = s->events;
    LoopEvent top = heap[0];
    LoopEvent moving = heap[--s->event_count];
    Py_ssize_t size = s->event_count, position = 0;
    for (;;) {
        Py_ssize_t child = 2 * position + 1;
        if (child >= size) {
            break;
        }
        if (child + 1 < size && loop_before(s, &heap[child + 1], &heap[child])) {
            child += 1;
        }
        if (!loop_before(s, &heap[child], &moving)) {
            break;
        }
        heap[position] = heap[child];
        position = child;
    }
    if (size > 0) {
        heap[position] = moving;
    }
    return top;
}

static int
loop_draw(LoopSweep *s, int64_t stream, double *value)
{
    int64_t at = s->next_draw[stream];
    if (at >= s->offsets[stream + 1]) {
        s->status = 1;
        s->detail = stream;
        return 0;
    }
    s->next_draw[stream] = at + 1;
    *value = s->draws[at];
    return 1;
}

static int
loop_start(LoopSweep *s, Py_ssize_t place, int64_t visit, double at)
{
    int64_t entity = LOOP_Q(s, LV_ENTITY)[visit];
    const int64_t *row = s->steps + 6 * LOOP_Q(s, LV_STEP)[visit];
    double service;
    if (!loop_draw(s, row[3], &service)) {
        return 0;
    }
    LOOP_D(s, LV_SERVICE)[visit] = service;
    if (!loop_put_q(s, LS_VISIT, visit) || !loop_put_d(s, LS_TIME, at)) {
        return 0;
    }
    if (at + service < s->horizon) {
        return loop_push(s, at + service, entity, 0, LOOP_END, place, visit, entity);
    }
    return 1;
}

static int
loop_take_head(LoopSweep *s, Py_ssize_t place, double at)
{
    Queued head = Queued_pop(s->waiting[place], &s->waiting_size[place]);
    return loop_start(s, place, (int64_t)head.position, at);
}

static int
loop_arrive(LoopSweep *s, const int64_t *row, int64_t step, int64_t entity, double at)
{
    Py_ssize_t place = (Py_ssize_t)row[2];
    int64_t visit = LOOP_N(s, LV_ENTITY);
    if (!loop_put_q(s, LV_ENTITY, entity) || !loop_put_q(s, LV_STATION, place)
        || !loop_put_d(s, LV_TIME, at) || !loop_put_d(s, LV_SERVICE, Py_NAN)
        || !loop_put_q(s, LV_STEP, step)) {
        return 0;
    }
    if (s->busy[place] < s->on_duty[place]) {
        s->busy[place] += 1;
        return loop_start(s, place, visit, at);
    }
    void *data = s->waiting[place];
    if (!loop_grow(&data, &s->waiting_room[place], s->waiting_size[place] + 1,
                   sizeof(Queued))) {
        s->status = 3;
        return 0;
    }
    s->waiting[place] = data;
    s->joined[place] += 1;
    Queued item = {row[4], s->joined[place], (Py_ssize_t)visit};
    Queued_push(s->waiting[place], &s->waiting_size[place], item);
    return 1;
}

static int
loop_offset_order(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int
loop_spawn(LoopSweep *s, const int64_t *row, int64_t step, double at, int64_t key)
{
    double drawn;
    if (!loop_draw(s, row[2], &drawn)) {
        return 0;
    }
    double rounded = nearbyint(drawn);  /* half to even, as Python's round */
    /* a batch past any memory is refused by loop_grow below, not converted out of range */
    int64_t count = rounded > 0 ? (rounded < 1e15 ? (int64_t)rounded : (int64_t)1e15) : 0;
    void *data = s->scratch;
    if (!loop_grow(&data, &s->scratch_room, (Py_ssize_t)count, sizeof(double))) {
        s->status = 3;
        return 0;
    }
    s->scratch = data;
    for (int64_t i = 0; i < count; i++) {
        s->scratch[i] = 0.0;
        if (row[3] >= 0 && !loop_draw(s, row[3], &s->scratch[i])) {
            return 0;
        }
    }
    if (row[3] >= 0) {
        qsort(s->scratch, (size_t)count, sizeof(double), loop_offset_order);
    }
    int64_t first = s->first_member + LOOP_N(s, LM_WHEN);
    if (s->limit >= 0 && first + count > s->limit) {
        s->status = 2;
        s->detail = step;
        s->extra = count;
        return 0;
    }
    for (int64_t i = 0; i < count; i++) {
        double when = row[3] >= 0 ? at + s->scratch[i] : at;
        if (!loop_put_d(s, LM_WHEN, when) || !loop_put_q(s, LM_KIND, row[5])
            || !loop_put_d(s, LM_AT, at) || !loop_put_q(s, LM_KEY, key)
            || !loop_push(s, when, first + i, 1, LOOP_MOVE, row[4], first + i, first + i)) {
            return 0;
        }
    }
    return 1;
}

static double
loop_arrived(const LoopSweep *s, int64_t entity)
{
    if (entity >= s->first_member) {
        return LOOP_D(s, LM_WHEN)[entity - s->first_member];
    }
    return s->arrived[entity];
}

/* `entity` takes its steps from `step` on at `at` in the turn of `key` (the twin's go). */
static int
loop_go(LoopSweep *s, int64_t step, int64_t entity, double at, int64_t key)
{
    for (;;) {
        const int64_t *row = s->steps + 6 * step;
        double value;
        switch (row[0]) {
        case LOOP_BRANCH: {
            if (!loop_draw(s, row[2], &value)) {
                return 0;
            }
            Py_ssize_t low = (Py_ssize_t)row[3], high = (Py_ssize_t)(row[3] + row[4]);
            while (low < high) {  /* bisect_right */
                Py_ssize_t middle = (low + high) / 2;
                if (value < s->cumulative[middle]) {
                    high = middle;
                }
                else {
                    low = middle + 1;
                }
            }
            step = s->targets[low];  /* the last weight is infinite: low is a target */
            break;
        }
        case LOOP_MILESTONE:
            if (at >= s->warmup && (!loop_put_q(s, LT_TALLY, row[2])
                                    || !loop_put_d(s, LT_VALUE, at - loop_arrived(s, entity)))) {
                return 0;
            }
            step = row[1];
            break;
        case LOOP_DELAY:
            if (!loop_draw(s, row[2], &value)) {
                return 0;
            }
            if (value != 0.0) {
                return loop_push(s, at + value, entity, 1, LOOP_MOVE, row[1], entity, entity);
            }
            step = row[1];
            break;
        case LOOP_SPAWN:
            if (!loop_spawn(s, row, step, at, key)) {
                return 0;
            }
            step = row[1];
            break;
        case LOOP_VISIT:
            return loop_arrive(s, row, step, entity, at);
        default:
            return loop_put_q(s, LL_STEP, step) && loop_put_q(s, LL_ENTITY, entity)
                && loop_put_d(s, LL_TIME, at) && loop_put_q(s, LL_KEY, key);
        }
    }
}

static int
loop_play(LoopSweep *s, LoopEvent event)
{
    Py_ssize_t place = (Py_ssize_t)event.what;
    if (event.action == LOOP_CHANGE) {
        /* a cut never interrupts a service; more servers take the heads of the queue */
        s->on_duty[place] = event.first;
        while (s->busy[place] < event.first && s->waiting_size[place] > 0) {
            s->busy[place] += 1;
            if (!loop_take_head(s, place, event.t)) {
                return 0;
            }
        }
        return 1;
    }
    if (event.action == LOOP_END) {
        if (s->waiting_size[place] > 0 && s->busy[place] <= s->on_duty[place]) {
            if (!loop_take_head(s, place, event.t)) {
                return 0;
            }
        }
        else {
            s->busy[place] -= 1;
        }
        int64_t entity = LOOP_Q(s, LV_ENTITY)[event.first];
        int64_t next = s->steps[6 * LOOP_Q(s, LV_STEP)[event.first] + 1];
        return loop_go(s, next, entity, event.t, entity);
    }
    return loop_go(s, event.what, event.first, event.t, event.second);
}

static const char *const loop_names[LOOP_INPUTS] = {
    "steps", "cumulative", "targets", "draws", "offsets", "entered", "spawned_by",
    "spawned_at", "kind", "arrived", "on_duty", "change_place", "change_time",
    "change_servers", "move_entity", "move_time", "move_key", "move_step"};
static const int loop_integral[LOOP_INPUTS] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1,
                                               1, 0, 1, 1};

static Py_ssize_t
loop_length(const Py_buffer *views, int k)
{
    return views[k].len / 8;
}

/* Whether a row's indices are in range (each kind reads its own columns). */
static int
loop_row_fits(const LoopSweep *s, const int64_t *row)
{
    Py_ssize_t steps = s->step_count, streams = s->stream_count;
#define LOOP_IN(value, size) ((value) >= 0 && (value) < (size))
    switch (row[0]) {
    case LOOP_LEAVE:
        return 1;
    case LOOP_BRANCH:
        if (!LOOP_IN(row[2], streams) || row[3] < 0 || row[4] < 1
            || row[3] + row[4] > s->branch_count) {
            return 0;
        }
        for (int64_t k = row[3]; k < row[3] + row[4]; k++) {
            if (!LOOP_IN(s->targets[k], steps)) {
                return 0;
            }
        }
        return s->cumulative[row[3] + row[4] - 1] == Py_HUGE_VAL;
    case LOOP_MILESTONE:
        return LOOP_IN(row[1], steps) && row[2] >= 0;
    case LOOP_DELAY:
        return LOOP_IN(row[1], steps) && LOOP_IN(row[2], streams);
    case LOOP_SPAWN:
        return LOOP_IN(row[1], steps) && LOOP_IN(row[2], streams)
            && (row[3] == -1 || LOOP_IN(row[3], streams)) && LOOP_IN(row[4], steps);
    case LOOP_VISIT:
        return LOOP_IN(row[1], steps) && LOOP_IN(row[2], s->places)
            && LOOP_IN(row[3], streams);
    default:
        return 0;
    }
}

/* Whether the arrays fit together: lengths, offsets, and every index in range. */
static int
loop_fits(LoopSweep *s, const Py_buffer *views)
{
    Py_ssize_t members = s->first_member, changes = loop_length(views, 11);
    if (views[0].len % 48 != 0 || loop_length(views, 2) != s->branch_count
        || loop_length(views, 4) != s->stream_count + 1 || s->offsets[0] != 0
        || s->offsets[s->stream_count] > loop_length(views, 3)
        || (s->spawned_count != 0 && s->spawned_count != members)
        || loop_length(views, 7) != s->spawned_count || loop_length(views, 8) != members
        || loop_length(views, 9) != members || loop_length(views, 12) != changes
        || loop_length(views, 13) != changes || loop_length(views, 15) != loop_length(views, 14)
        || loop_length(views, 16) != loop_length(views, 14)
        || loop_length(views, 17) != loop_length(views, 14)) {
        return 0;
    }
    for (Py_ssize_t k = 0; k < s->stream_count; k++) {
        if (s->offsets[k + 1] < s->offsets[k]) {
            return 0;
        }
    }
    for (Py_ssize_t k = 0; k < s->step_count; k++) {
        if (!loop_row_fits(s, s->steps + 6 * k)) {
            return 0;
        }
    }
    for (Py_ssize_t k = 0; k < s->spawned_count; k++) {
        if (s->spawned_by[k] >= k) {  /* a spawner entered before its members */
            return 0;
        }
    }
    const int64_t *place = views[11].buf;
    for (Py_ssize_t k = 0; k < changes; k++) {
        if (!LOOP_IN(place[k], s->places)) {
            return 0;
        }
    }
    const int64_t *entity = views[14].buf, *key = views[16].buf, *step = views[17].buf;
    for (Py_ssize_t k = 0; k < loop_length(views, 14); k++) {
        if (!LOOP_IN(entity[k], members) || key[k] >= members
            || !LOOP_IN(step[k], s->step_count)) {
            return 0;
        }
    }
#undef LOOP_IN
    return 1;
}

/* Point the sweep at its inputs and allocate its state; 0 with a Python error set if not. */
static int
loop_prepare(LoopSweep *s, const Py_buffer *views)
{
    s->steps = views[0].buf;
    s->step_count = views[0].len / 48;
    s->cumulative = views[1].buf;
    s->branch_count = loop_length(views, 1);
    s->targets = views[2].buf;
    s->draws = views[3].buf;
    s->offsets = views[4].buf;
    s->stream_count = loop_length(views, 4) - 1;
    s->entered = views[5].buf;
    s->first_member = loop_length(views, 5);
    s->spawned_by = views[6].buf;
    s->spawned_count = loop_length(views, 6);
    s->spawned_at = views[7].buf;
    s->kind = views[8].buf;
    s->arrived = views[9].buf;
    s->places = loop_length(views, 10);
    if (s->stream_count < 0 || !loop_fits(s, views)) {
        PyErr_SetString(PyExc_ValueError,
                        "loop_events: the arrays do not fit together (lengths, offsets, or an "
                        "index out of range)");
        return 0;
    }
    Py_ssize_t places = s->places + 1;
    s->next_draw = PyMem_RawMalloc((size_t)(s->stream_count + 1) * sizeof(int64_t));
    s->on_duty = PyMem_RawCalloc((size_t)places * 3, sizeof(int64_t));
    s->waiting = PyMem_RawCalloc((size_t)places, sizeof(Queued *));
    s->waiting_size = PyMem_RawCalloc((size_t)places * 2, sizeof(Py_ssize_t));
    if (s->next_draw == NULL || s->on_duty == NULL || s->waiting == NULL
        || s->waiting_size == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    memcpy(s->next_draw, s->offsets, (size_t)s->stream_count * sizeof(int64_t));
    s->busy = s->on_duty + places;
    s->joined = s->busy + places;
    s->waiting_room = s->waiting_size + places;
    memcpy(s->on_duty, views[10].buf, (size_t)s->places * sizeof(int64_t));
    return 1;
}

/* Schedule the shift changes and the moves into the loop, then play every event before the
 * horizon (s->status says why it stopped early). */
static void
loop_sweep_run(LoopSweep *s, const Py_buffer *views)
{
    const int64_t *place = views[11].buf, *servers = views[13].buf;
    const double *when = views[12].buf;
    for (Py_ssize_t k = 0; k < loop_length(views, 11); k++) {
        if (!loop_push(s, when[k], LOOP_CLOCK_TURN, 0, LOOP_CHANGE, place[k], servers[k], 0)) {
            return;
        }
    }
    const int64_t *entity = views[14].buf, *key = views[16].buf, *step = views[17].buf;
    const double *at = views[15].buf;
    for (Py_ssize_t k = 0; k < loop_length(views, 14); k++) {
        if (!loop_push(s, at[k], key[k], 1, LOOP_MOVE, step[k], entity[k], key[k])) {
            return;
        }
    }
    while (s->status == 0 && s->event_count > 0 && s->events[0].t < s->horizon) {
        loop_play(s, loop_pop(s));
    }
}

static void
loop_free(LoopSweep *s)
{
    for (Py_ssize_t k = 0; s->waiting != NULL && k <= s->places; k++) {
        PyMem_RawFree(s->waiting[k]);
    }
    for (int k = 0; k < LOOP_OUTPUTS; k++) {
        PyMem_RawFree(s->out[k].data);
    }
    PyMem_RawFree(s->waiting);
    PyMem_RawFree(s->waiting_size);
    PyMem_RawFree(s->on_duty);
    PyMem_RawFree(s->next_draw);
    PyMem_RawFree(s->events);
    PyMem_RawFree(s->scratch);
}

/* (status, detail, extra, outputs as bytes or None), as the twin returns. */
static PyObject *
loop_result(const LoopSweep *s)
{
    if (s->status == 3) {
        return PyErr_NoMemory();
    }
    if (s->status != 0) {
        return Py_BuildValue("iLLO", s->status, (long long)s->detail, (long long)s->extra,
                             Py_None);
    }
    PyObject *outputs = PyTuple_New(LOOP_OUTPUTS);
    for (int k = 0; outputs != NULL && k < LOOP_OUTPUTS; k++) {
        PyObject *bytes = PyBytes_FromStringAndSize(s->out[k].data, s->out[k].size);
        if (bytes == NULL) {
            Py_CLEAR(outputs);
            break;
        }
        PyTuple_SET_ITEM(outputs, k, bytes);
    }
    if (outputs == NULL) {
        return NULL;
    }
    return Py_BuildValue("iiiN", 0, 0, 0, outputs);
}

PyDoc_STRVAR(loop_events_doc,
"loop_events(steps, branches, streams, turns, places, moves, horizon, warmup, limit)\n"
"    -> (status, detail, extra, outputs)\n\n"
"The events of a loop of stations played in the event engine's order, over plain arrays\n"
"(see portsim.engine.kernels_loop): steps (rows of six int64), branches = (cumulative,\n"
"targets), streams = (draws, offsets), turns = (entered, spawned_by, spawned_at, kind,\n"
"arrived), places = (on_duty, change_place, change_time, change_servers), moves = (entity,\n"
"time, key, step). Returns (0, 0, 0, the 17 outputs as bytes), (1, stream, 0, None) where a\n"
"stream ran short, (2, step, batch, None) where a batch would exceed `limit` entities.");

static PyObject *
loop_events(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[LOOP_INPUTS], *steps, *branches, *streams, *turns, *places, *moves;
    LoopSweep s;
    memset(&s, 0, sizeof s);
    long long limit;
    if (!PyArg_ParseTuple(args, "OO!O!O!O!O!ddL:loop_events", &steps, &PyTuple_Type,
                          &branches, &PyTuple_Type, &streams, &PyTuple_Type, &turns,
                          &PyTuple_Type, &places, &PyTuple_Type, &moves, &s.horizon,
                          &s.warmup, &limit)
        || !PyArg_ParseTuple(branches, "OO:branches", &objects[1], &objects[2])
        || !PyArg_ParseTuple(streams, "OO:streams", &objects[3], &objects[4])
        || !PyArg_ParseTuple(turns, "OOOOO:turns", &objects[5], &objects[6], &objects[7],
                             &objects[8], &objects[9])
        || !PyArg_ParseTuple(places, "OOOO:places", &objects[10], &objects[11], &objects[12],
                             &objects[13])
        || !PyArg_ParseTuple(moves, "OOOO:moves", &objects[14], &objects[15], &objects[16],
                             &objects[17])) {
        return NULL;
    }
    objects[0] = steps;
    s.limit = (int64_t)limit;
    Py_buffer views[LOOP_INPUTS];
    int held = 0;
    for (; held < LOOP_INPUTS; held++) {
        int failed = loop_integral[held]
            ? int64s_as(objects[held], &views[held], 0, loop_names[held])
            : doubles(objects[held], &views[held], 0, loop_names[held]);
        if (failed != 0) {
            break;
        }
    }
    PyObject *result = NULL;
    if (held == LOOP_INPUTS && loop_prepare(&s, views)) {
        Py_BEGIN_ALLOW_THREADS
        loop_sweep_run(&s, views);
        Py_END_ALLOW_THREADS
        result = loop_result(&s);
    }
    loop_free(&s);
    for (int k = 0; k < held; k++) {
        PyBuffer_Release(&views[k]);
    }
    return result;
}

/* ------------------------------------------------------------------------------------------
 * A group of first-come-first-served stations joined by choices, some of them by expected
 * wait plus travel (portsim.engine.fast_quickest.python_quickest_starts, its twin): the loop
 * of group_starts over the same stations (Open), with the travellers' arrivals merged into the
 * customers' moves from a heap, in time order and, at one instant, by the rank of the
 * traveller's own turn against the mover's.
 */

/* A traveller on its way to the station it chose: (when it arrives, the rank of its own turn,
 * its position, the station), as the twin's heap tuples compare. */
typedef struct { double t; int64_t turn; Py_ssize_t position; Py_ssize_t station; } Traveller;

static int
traveller_before(const Traveller *a, const Traveller *b)
{
    if (a->t != b->t) {
        return a->t < b->t;
    }
    if (a->turn != b->turn) {
        return a->turn < b->turn;
    }
    return a->position < b->position
        || (a->position == b->position && a->station < b->station);
}

HEAP_FUNCTIONS(Traveller, traveller_before)

/* The customer at `position`, of class `kind`, joins the FIFO station `q` at `at` and starts
 * by the recursion: OpenQueue.join; 0 when its class ran out of draws there. */
static int
open_join(Open *q, Py_ssize_t position, int64_t kind, double at, double horizon)
{
    if (kind < 0 || kind >= q->classes || q->next[kind] >= (Py_ssize_t)q->offsets[kind + 1]) {
        return 0;
    }
    double service = q->service[q->next[kind]++];
    q->joined[q->joined_n] = (int64_t)position;
    q->services[q->joined_n] = service;
    q->joined_n += 1;
    double start = open_start(q, at, service, horizon);
    if (start < Py_HUGE_VAL) {
        q->starts[q->started_n++] = start;
    }
    Present item = {start + service, position};
    Present_push(q->present, &q->present_size, item);
    return 1;
}

/* Which of offered[first:last] the customer at `mover` picks at `at`: the least expected wait
 * (portsim.engine.station.expected_wait, in its order of operations) plus travel, ties by
 * customers present per server on duty, then the first offered: quickest_pick. An offset
 * from `first`. */
static Py_ssize_t
quickest_choice(Open *queues, const int64_t *offered, const double *means,
                const double *travel, Py_ssize_t first, Py_ssize_t last, double at,
                Py_ssize_t mover, const int64_t *own, const int64_t *moves, Present *staying)
{
    Py_ssize_t best = 0;
    double best_wait = Py_HUGE_VAL, best_load = Py_HUGE_VAL;
    for (Py_ssize_t k = first; k < last; k++) {
        Open *q = &queues[offered[k]];
        double servers = open_servers_at(q, at), wait = Py_HUGE_VAL + travel[k];
        double load = Py_HUGE_VAL;
        if (servers > 0) {
            load = open_load(q, at, mover, own, moves, staying);
            double ahead = (double)q->present_size - servers + 1;
            wait = (ahead <= 0 ? 0.0 : ahead * means[k] / servers) + travel[k];
        }
        if (wait < best_wait || (wait == best_wait && load < best_load)) {
            best = k - first;
            best_wait = wait;
            best_load = load;
        }
    }
    return best;
}

/* Which of offered[first:last] the customer at `mover` joins at `at` by a shortest-queue
 * choice (one offered: that one): shortest. */
static Py_ssize_t
shortest_choice(Open *queues, const int64_t *offered, Py_ssize_t first, Py_ssize_t last,
                double at, Py_ssize_t mover, const int64_t *own, const int64_t *moves,
                Present *staying)
{
    Py_ssize_t best = (Py_ssize_t)offered[first];
    if (last - first > 1) {
        double best_load = open_load(&queues[best], at, mover, own, moves, staying);
        for (Py_ssize_t k = first + 1; k < last; k++) {
            double load = open_load(&queues[offered[k]], at, mover, own, moves, staying);
            if (load < best_load) {
                best = (Py_ssize_t)offered[k];
                best_load = load;
            }
        }
    }
    return best;
}

/* What a group's loop wrote: (joined, started, changes of servers) per station (no changes
 * at a FIFO station); NULL with a ValueError naming `loop` where it ran out of draws (not
 * `enough`). */
static PyObject *
group_written(const Open *queues, Py_ssize_t groups, int enough, const char *loop)
{
    if (!enough) {
        PyErr_Format(PyExc_ValueError, "%s: a class ran out of service draws at a station",
                     loop);
        return NULL;
    }
    PyObject *result = PyList_New(groups);
    for (Py_ssize_t g = 0; result != NULL && g < groups; g++) {
        PyObject *written = Py_BuildValue("nnn", queues[g].joined_n, queues[g].started_n,
                                          queues[g].react.server_changes);
        if (written == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, g, written);
    }
    return result;
}

/* Free the first `groups` stations of a group (parsed or not) and their array. */
static void
group_free(Open *queues, Py_ssize_t groups)
{
    for (Py_ssize_t g = 0; queues != NULL && g < groups; g++) {
        open_free(&queues[g]);
    }
    PyMem_Free(queues);
}

/* The arrays of quickest_starts, in the order of its arguments (horizon apart). */
enum { Q_ARRIVALS, Q_KINDS, Q_SOURCE, Q_OFFSETS, Q_OFFERED, Q_BY_WAIT, Q_MEANS, Q_TRAVEL,
       Q_OWN, Q_MOVES, Q_REACHED, Q_ARRAYS };

/* The group's loop (see quickest_starts_doc) on the arrays `a`; 0 when a class ran out of
 * draws at a station. */
static int
quickest_sweep(Open *queues, Py_ssize_t count, const void *const *a, double horizon,
               Present *staying, Traveller *travelling)
{
    const double *at = a[Q_ARRIVALS], *means = a[Q_MEANS], *travel = a[Q_TRAVEL];
    const int64_t *kind = a[Q_KINDS], *source = a[Q_SOURCE], *offsets = a[Q_OFFSETS];
    const int64_t *offered = a[Q_OFFERED], *by_wait = a[Q_BY_WAIT], *own = a[Q_OWN];
    const int64_t *moves = a[Q_MOVES];
    double *reached = (double *)a[Q_REACHED];
    Py_ssize_t travellers = 0;
    for (Py_ssize_t i = 0; i <= count; i++) {
        while (travellers > 0 && (i == count || travelling[0].t < at[i]
                                  || (travelling[0].t == at[i]
                                      && travelling[0].turn < moves[i]))) {
            Traveller came = Traveller_pop(travelling, &travellers);
            if (!open_join(&queues[came.station], came.position, kind[came.position], came.t,
                           horizon)) {
                return 0;
            }
        }
        if (i == count) {
            break;
        }
        Py_ssize_t first = (Py_ssize_t)offsets[source[i]];
        Py_ssize_t last = (Py_ssize_t)offsets[source[i] + 1];
        Py_ssize_t station;
        if (!by_wait[source[i]]) {
            station = shortest_choice(queues, offered, first, last, at[i], i, own, moves,
                                      staying);
        }
        else {
            Py_ssize_t picked = first + quickest_choice(queues, offered, means, travel, first,
                                                        last, at[i], i, own, moves, staying);
            station = (Py_ssize_t)offered[picked];
            if (!(travel[picked] <= 0)) {
                double arrives = at[i] + travel[picked];
                reached[i] = arrives;
                if (arrives < horizon) {
                    Traveller going = {arrives, own[i], i, station};
                    Traveller_push(travelling, &travellers, going);
                }
                continue;
            }
        }
        if (!open_join(&queues[station], i, kind[i], at[i], horizon)) {
            return 0;
        }
    }
    return 1;
}

/* Whether the arrays of quickest_starts fit together: the customers' (of `count`), the
 * nodes' (by_wait, one per node) and the offered stations' (means, travel), within the
 * group's `groups` stations. */
static int
quickest_fits(const Py_buffer *views, const Py_ssize_t *length, Py_ssize_t count,
              Py_ssize_t groups)
{
    for (int k = Q_KINDS; k < Q_ARRAYS; k++) {
        int per_customer = k == Q_KINDS || k == Q_SOURCE || k == Q_OWN || k == Q_MOVES
            || k == Q_REACHED;
        if (per_customer && length[k] != count) {
            return 0;
        }
    }
    return length[Q_BY_WAIT] == length[Q_OFFSETS] - 1
        && length[Q_MEANS] == length[Q_OFFERED] && length[Q_TRAVEL] == length[Q_OFFERED]
        && group_fits(views[Q_OFFSETS].buf, length[Q_OFFSETS] - 1, views[Q_OFFERED].buf,
                      length[Q_OFFERED], groups, views[Q_SOURCE].buf, count);
}

PyDoc_STRVAR(quickest_starts_doc,
"quickest_starts(arrivals, kinds, source, option_offsets, option_stations, by_wait, means,\n"
"                travel, own, moves, horizon, reached, stations) -> list[tuple[int, int, int]]\n\n"
"A group of first-come-first-served stations joined by choices: the customers, in the order\n"
"they move, as group_starts takes them (its FIFO stations' tuples too); node n offers\n"
"option_stations[option_offsets[n]:option_offsets[n + 1]] and, where by_wait[n] is 0, is a\n"
"visit or a shortest-queue choice, as in group_starts. Where by_wait[n] is 1 the customer\n"
"picks the offered station with the least expected wait (portsim.engine.station.\n"
"expected_wait of the customers present, the servers the schedule puts on duty and the\n"
"class's mean service there, means[k]) plus travel[k], ties by customers per server, then\n"
"the first offered; with no travel it joins at once, else it reaches the station at its\n"
"move plus the travel (written to reached[i]; reached keeps the other customers' values) and\n"
"joins then, if before `horizon`: travellers join, in the order of (time, own turn), before\n"
"every move that comes later in (time, move turn). Returns (joined, started, 0) per station.");

static PyObject *
quickest_starts(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *objects[Q_ARRAYS], *stations_obj;
    double horizon;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOdOO:quickest_starts", &objects[0], &objects[1],
                          &objects[2], &objects[3], &objects[4], &objects[5], &objects[6],
                          &objects[7], &objects[8], &objects[9], &horizon,
                          &objects[Q_REACHED], &stations_obj)) {
        return NULL;
    }
    static const char *names[Q_ARRAYS] = {"arrivals", "kinds", "source", "option_offsets",
                                          "option_stations", "by_wait", "means", "travel",
                                          "own", "moves", "reached"};
    static const int integral[Q_ARRAYS] = {0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0};
    Open scratch = {0};
    Py_ssize_t length[Q_ARRAYS];
    if (!open_views(&scratch, objects, Q_ARRAYS, Q_REACHED, names, integral, length)) {
        open_free(&scratch);
        return NULL;
    }
    const void *arrays[Q_ARRAYS];
    for (int k = 0; k < Q_ARRAYS; k++) {
        arrays[k] = scratch.views[k].buf;
    }
    PyObject *stations = NULL, *result = NULL;
    Open *queues = NULL;
    Present *staying = NULL;
    Traveller *travelling = NULL;
    Py_ssize_t groups = 0, count = length[Q_ARRIVALS];
    stations = PySequence_Fast(stations_obj, "stations must be a sequence of tuples");
    if (stations == NULL) {
        goto done;
    }
    groups = PySequence_Fast_GET_SIZE(stations);
    if (groups < 1 || !quickest_fits(scratch.views, length, count, groups)) {
        PyErr_SetString(PyExc_ValueError,
                        "quickest_starts: the arrays do not fit together (lengths, or a "
                        "choice that offers no station or one outside the group)");
        groups = 0;
        goto done;
    }
    queues = PyMem_Calloc((size_t)groups, sizeof(Open));
    staying = PyMem_Malloc((size_t)(count + 1) * sizeof(Present));
    travelling = PyMem_Malloc((size_t)(count + 1) * sizeof(Traveller));
    if (queues == NULL || staying == NULL || travelling == NULL) {
        PyErr_NoMemory();
        groups = 0;
        goto done;
    }
    for (Py_ssize_t g = 0; g < groups; g++) {
        PyObject *item = PySequence_Fast_GET_ITEM(stations, g);
        if (PyTuple_Check(item) && PyTuple_GET_SIZE(item) != 10) {
            PyErr_SetString(PyExc_ValueError,
                            "quickest_starts: every station of the group must be a FIFO one");
            goto done;
        }
        if (!open_parse(item, &queues[g], count)) {
            goto done;
        }
    }
    int enough;
    Py_BEGIN_ALLOW_THREADS
    enough = quickest_sweep(queues, count, arrays, horizon, staying, travelling);
    Py_END_ALLOW_THREADS
    result = group_written(queues, groups, enough, "quickest_starts");
done:
    group_free(queues, groups);
    PyMem_Free(staying);
    PyMem_Free(travelling);
    Py_XDECREF(stations);
    open_free(&scratch);
    if (PyErr_Occurred()) {
        Py_XDECREF(result);
        return NULL;
    }
    return result;
}

static PyMethodDef methods[] = {
    {"fifo_starts", fifo_starts, METH_VARARGS, fifo_starts_doc},
    {"fifo_starts_shifts", fifo_starts_shifts, METH_VARARGS, fifo_starts_shifts_doc},
    {"priority_starts", priority_starts, METH_VARARGS, priority_starts_doc},
    {"impatient_starts", impatient_starts, METH_VARARGS, impatient_starts_doc},
    {"unreliable_starts", unreliable_starts, METH_VARARGS, unreliable_starts_doc},
    {"reactive_starts", reactive_starts, METH_VARARGS, reactive_starts_doc},
    {"booking_starts", booking_starts, METH_VARARGS, booking_starts_doc},
    {"pooled_starts", pooled_starts, METH_VARARGS, pooled_starts_doc},
    {"group_starts", group_starts, METH_VARARGS, group_starts_doc},
    {"queue_max", queue_max, METH_VARARGS, queue_max_doc},
    {"slot_fold", slot_fold, METH_VARARGS, slot_fold_doc},
    {"loop_events", loop_events, METH_VARARGS, loop_events_doc},
    {"quickest_starts", quickest_starts, METH_VARARGS, quickest_starts_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_kernels",
    "Per-customer loops, compiled (portsim.engine.kernels, portsim.stats.slots).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__kernels(void)
{
    return PyModule_Create(&module_def);
}
