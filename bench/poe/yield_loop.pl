#!/usr/bin/perl
# POE 1.370 peer of KernelQuickBenchmark's dispatch figure: one session keeps CHAINS yield
# chains in flight (each handler yields the next event, trivial work) until TOTAL events ran.
# Usage: perl yield_loop.pl [TOTAL] [CHAINS]   Prints: poe_dispatch_events_per_s: N events/s
use strict;
use warnings;
use POE;
use Time::HiRes qw(time);

my $total  = shift // 1_000_000;
my $chains = shift // 1000;
my ($done, $t0, $t1) = (0);

POE::Session->create(
    inline_states => {
        _start => sub {
            $t0 = time;
            $_[KERNEL]->yield('tick') for 1 .. $chains;
        },
        tick => sub {
            $_[KERNEL]->yield('tick') if ++$done <= $total - $chains;
        },
        _stop => sub { $t1 = time },
    },
);
POE::Kernel->run();
printf "poe_dispatch_events_per_s: %.0f events/s\n", $done / ($t1 - $t0);
