//! A criterion measurement: the CPU time of the whole process (user and system, every thread:
//! the library's and the in-process stub's), which a shared, loaded machine disturbs far less
//! than wall time. Used by the benches that go through loopback (`dpop`, `refresh`).

use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};

/// The CPU time of the process (user and system, every thread), in nanoseconds.
pub struct ProcessCpuTime;

/// The process's CPU time so far (user and system, every thread), in nanoseconds.
pub fn process_cpu_ns() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to write; the clock id is a constant of the platform.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    assert_eq!(r, 0, "CLOCK_PROCESS_CPUTIME_ID");
    t.tv_sec as f64 * 1e9 + t.tv_nsec as f64
}

impl Measurement for ProcessCpuTime {
    type Intermediate = f64;
    type Value = f64;
    fn start(&self) -> f64 {
        process_cpu_ns()
    }
    fn end(&self, started: f64) -> f64 {
        process_cpu_ns() - started
    }
    fn add(&self, a: &f64, b: &f64) -> f64 {
        a + b
    }
    fn zero(&self) -> f64 {
        0.0
    }
    fn to_f64(&self, v: &f64) -> f64 {
        *v
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// Nanoseconds shown in the unit that fits, as criterion shows times.
struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns cpu")
        } else if typical < 1e6 {
            (1e-3, "µs cpu")
        } else {
            (1e-6, "ms cpu")
        };
        for v in values {
            *v *= factor;
        }
        unit
    }
    fn scale_throughputs(&self, _: f64, _: &Throughput, _: &mut [f64]) -> &'static str {
        "(no throughput)"
    }
    fn scale_for_machines(&self, _: &mut [f64]) -> &'static str {
        "ns"
    }
}

/// A bench's `main`: its `lines(c, group)` (generic over the measurement) measured once in wall
/// time under the group name `$wall`, and once in process CPU time under `$cpu`.
macro_rules! wall_and_cpu_main {
    ($lines:ident, $wall:literal, $cpu:literal) => {
        fn wall_time(c: &mut criterion::Criterion) {
            $lines(c, $wall);
        }
        fn cpu_time(c: &mut criterion::Criterion<cpu_time::ProcessCpuTime>) {
            $lines(c, $cpu);
        }
        criterion::criterion_group!(wall, wall_time);
        criterion::criterion_group! {
            name = cpu;
            config = criterion::Criterion::default().with_measurement(cpu_time::ProcessCpuTime);
            targets = cpu_time
        }
        criterion::criterion_main!(wall, cpu);
    };
}
