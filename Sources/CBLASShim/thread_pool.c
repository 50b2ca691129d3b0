// A persistent pool of spinning worker threads for the shim's own kernels: no thread is
// created per call, and a wake-up costs a cache-line write. Workers spin for a while after
// each job, then sleep on a condition variable so an idle engine does not burn CPU.
//
// Work is claimed, never assigned: static jobs hand out their parts, balanced jobs their
// blocks, to whichever thread asks first. A worker joins a job only while it is open; the
// caller closes it once nothing is left to claim and then waits only for the workers that
// joined. So when another process holds a core and a worker is descheduled, the caller does
// the work itself instead of waiting for that worker's next time slice.
#include "internal.h"
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <unistd.h>

#define MAX_THREADS 64
#define SPIN_ITERATIONS 200000
// job_state: generation << 8 | CLOSED | number of workers inside the job (< 128).
#define CLOSED 0x80u
#define ACTIVE_MASK 0x7fu

typedef struct {
    void (*body)(void *, int, int, int);
    void *context;
    int count, grain, parts, balanced;
} job_t;

static job_t current_job;
static atomic_int next_block;          // balanced jobs: the first block nobody has claimed
static atomic_int next_part;           // static jobs: the first part nobody has claimed
static atomic_uint job_state;
static int thread_count = 1;          // including the caller
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;   // one job in flight
static pthread_cond_t sleep_cond = PTHREAD_COND_INITIALIZER;

static void run_static_part(const job_t *job, int part) {
    int blocks = (job->count + job->grain - 1) / job->grain;
    int begin = (int)((long)blocks * part / job->parts) * job->grain;
    int end = (int)((long)blocks * (part + 1) / job->parts) * job->grain;
    if (end > job->count) end = job->count;
    if (begin < end) job->body(job->context, begin, end, part);
}

// Guided self-scheduling: claim 1/(2·parts) of what is left (at least one block), so a
// thread the machine slows down simply claims less. `part` is the thread's index.
static void run_blocks(const job_t *job, int part) {
    int blocks = (job->count + job->grain - 1) / job->grain;
    for (;;) {
        int left = blocks - atomic_load_explicit(&next_block, memory_order_relaxed);
        int take = left / (2 * job->parts);
        if (take < 1) take = 1;
        int first = atomic_fetch_add_explicit(&next_block, take, memory_order_relaxed);
        if (first >= blocks) return;
        int last = first + take < blocks ? first + take : blocks;
        int end = last * job->grain < job->count ? last * job->grain : job->count;
        job->body(job->context, first * job->grain, end, part);
    }
}

// Runs what `thread` can claim of `job` until nothing is left.
static void run_claims(const job_t *job, int thread) {
    if (job->balanced) {
        if (thread < job->parts) run_blocks(job, thread);
        return;
    }
    for (;;) {
        int part = atomic_fetch_add_explicit(&next_part, 1, memory_order_relaxed);
        if (part >= job->parts) return;
        run_static_part(job, part);
    }
}

// Enters the job of generation `seen` unless it is closed or already replaced.
static int join(unsigned seen) {
    unsigned state = atomic_load_explicit(&job_state, memory_order_acquire);
    for (;;) {
        if ((state >> 8) != seen || (state & CLOSED)) return 0;
        if (atomic_compare_exchange_weak_explicit(&job_state, &state, state + 1,
                                                  memory_order_acq_rel, memory_order_acquire)) return 1;
    }
}

static void *worker(void *arg) {
    int index = (int)(long)arg;
    unsigned seen = 0;
    for (;;) {
        unsigned latest;
        int spins = 0;
        while ((latest = atomic_load_explicit(&job_state, memory_order_acquire) >> 8) == seen) {
            if (++spins > SPIN_ITERATIONS) {
                pthread_mutex_lock(&sleep_lock);
                while (atomic_load_explicit(&job_state, memory_order_acquire) >> 8 == seen)
                    pthread_cond_wait(&sleep_cond, &sleep_lock);
                pthread_mutex_unlock(&sleep_lock);
                spins = 0;
            }
#if defined(__x86_64__)
            __builtin_ia32_pause();
#endif
        }
        seen = latest;
        if (!join(seen)) continue;   // finished without this thread
        job_t job = current_job;      // stable: the caller waits for joined workers
        run_claims(&job, index);
        atomic_fetch_sub_explicit(&job_state, 1, memory_order_acq_rel);
    }
    return 0;
}

static void start_pool(void) {
    openblas_set_num_threads(1);   // OpenBLAS kernels run inside this pool's threads
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    thread_count = cores < 1 ? 1 : cores > MAX_THREADS ? MAX_THREADS : (int)cores;
    for (int i = 1; i < thread_count; i++) {
        pthread_t thread;
        if (pthread_create(&thread, 0, worker, (void *)(long)i) != 0) { thread_count = i; break; }
        pthread_detach(thread);
    }
}

static int active_threads = 0;        // 0 = all pool threads

void eagle_pool_set_threads(int threads) { active_threads = threads; }

static void parallel_for(void (*body)(void *, int, int, int), void *context, int count, int grain, int balanced) {
    pthread_once(&once, start_pool);
    int parts = active_threads > 0 && active_threads < thread_count ? active_threads : thread_count;
    int blocks = (count + grain - 1) / grain;
    if (parts > blocks) parts = blocks;
    // A second caller while a job runs (several engines in one process) computes alone.
    if (parts <= 1 || pthread_mutex_trylock(&job_lock) != 0) { body(context, 0, count, 0); return; }
    current_job = (job_t){body, context, count, grain, parts, balanced};
    atomic_store_explicit(&next_block, 0, memory_order_relaxed);
    atomic_store_explicit(&next_part, 0, memory_order_relaxed);
    // Only the caller holding job_lock changes the generation: the next one follows the last.
    unsigned generation = ((atomic_load_explicit(&job_state, memory_order_relaxed) >> 8) + 1) & 0xffffffu;
    pthread_mutex_lock(&sleep_lock);
    atomic_store_explicit(&job_state, generation << 8, memory_order_release);
    pthread_cond_broadcast(&sleep_cond);
    pthread_mutex_unlock(&sleep_lock);
    run_claims(&current_job, 0);
    // Everything is claimed: close the job and wait for the workers inside it. Spin briefly;
    // if they are slow (a core taken by another process), give the core away.
    unsigned state = atomic_fetch_or_explicit(&job_state, CLOSED, memory_order_acq_rel) | CLOSED;
    for (int spins = 0; state & ACTIVE_MASK; spins++) {
        if (spins > 4000) sched_yield();
#if defined(__x86_64__)
        else __builtin_ia32_pause();
#endif
        state = atomic_load_explicit(&job_state, memory_order_acquire);
    }
    pthread_mutex_unlock(&job_lock);
}

void eagle_parallel_for(void (*body)(void *, int, int, int), void *context, int count, int grain) {
    parallel_for(body, context, count, grain, 0);
}

void eagle_parallel_for_balanced(void (*body)(void *, int, int, int), void *context, int count, int grain) {
    parallel_for(body, context, count, grain, 1);
}

int eagle_parallel_parts(void) {
    pthread_once(&once, start_pool);
    return active_threads > 0 && active_threads < thread_count ? active_threads : thread_count;
}

int eagle_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return cached;
#else
    return 0;
#endif
}
