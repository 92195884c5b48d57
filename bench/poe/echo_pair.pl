#!/usr/bin/perl
# POE 1.370 peer of IoQuickBenchmark's echo pair: the whole echo in one process and one kernel.
# A server session (SocketFactory + one ReadWrite wheel with Filter::Line per connection) and a
# client session (SocketFactory in client mode + ReadWrite with Filter::Line) on 127.0.0.1.
#   roundtrips:  one connection; send a 34-byte line, wait for its echo, send the next.
#   connections: connect, send one line, wait for its echo, close; repeat.
# Runs for SECONDS, then prints "MODE COUNT ELAPSED_SECONDS" and exits.
# Usage: perl echo_pair.pl roundtrips|connections [SECONDS]
use strict;
use warnings;
use Time::HiRes qw(time);
use Socket qw(unpack_sockaddr_in);
use POE qw(Wheel::SocketFactory Wheel::ReadWrite Filter::Line);

my $mode = shift // 'roundtrips';
my $seconds = shift // 1;
die "usage: $0 roundtrips|connections [SECONDS]\n" unless $mode =~ /^(?:roundtrips|connections)$/;

# 32 characters; Filter::Line appends "\r\n": 34 bytes on the wire.
my $LINE = 'hello world, this is a ping line';

POE::Session->create(
    inline_states => {
        _start => sub {
            my ($kernel, $heap) = @_[KERNEL, HEAP];
            $kernel->alias_set('server');
            $heap->{listener} = POE::Wheel::SocketFactory->new(
                BindAddress  => '127.0.0.1',
                BindPort     => 0,
                Reuse        => 'yes',
                SuccessEvent => 'accepted',
                FailureEvent => 'failed',
            );
            my ($port) = unpack_sockaddr_in($heap->{listener}->getsockname);
            start_client($port);
        },
        accepted => sub {
            my ($heap, $socket) = @_[HEAP, ARG0];
            my $wheel = POE::Wheel::ReadWrite->new(
                Handle     => $socket,
                Filter     => POE::Filter::Line->new,
                InputEvent => 'input',
                ErrorEvent => 'error',
            );
            $heap->{clients}{ $wheel->ID } = $wheel;
        },
        input    => sub { $_[HEAP]{clients}{ $_[ARG1] }->put($_[ARG0]) },
        error    => sub { delete $_[HEAP]{clients}{ $_[ARG3] } },
        failed   => sub { die "server $_[ARG0] failed: $_[ARG2]\n" },
        shutdown => sub {
            delete @{ $_[HEAP] }{qw(listener clients)};
            $_[KERNEL]->alias_remove('server');
        },
    },
);

sub start_client {
    my ($port) = @_;
    POE::Session->create(
        inline_states => {
            _start => sub {
                my $heap = $_[HEAP];
                $heap->{start} = time;
                $heap->{end} = $heap->{start} + $seconds;
                $heap->{count} = 0;
                connect_to($heap, $port);
            },
            connected => sub {
                my ($heap, $socket) = @_[HEAP, ARG0];
                delete $heap->{connector};
                $heap->{server} = POE::Wheel::ReadWrite->new(
                    Handle     => $socket,
                    Filter     => POE::Filter::Line->new,
                    InputEvent => 'echo',
                    ErrorEvent => 'failed',
                );
                $heap->{server}->put($LINE);
            },
            echo => sub {
                my ($kernel, $heap) = @_[KERNEL, HEAP];
                $heap->{count}++;
                my $now = time;
                if ($mode eq 'connections') {
                    delete $heap->{server};
                    return connect_to($heap, $port) if $now < $heap->{end};
                }
                elsif ($now < $heap->{end}) {
                    return $heap->{server}->put($LINE);
                }
                delete $heap->{server};
                printf "%s %d %.6f\n", $mode, $heap->{count}, $now - $heap->{start};
                $kernel->post(server => 'shutdown');
            },
            failed => sub { die "client $_[ARG0] failed: $_[ARG2]\n" },
        },
    );
}

sub connect_to {
    my ($heap, $port) = @_;
    $heap->{connector} = POE::Wheel::SocketFactory->new(
        RemoteAddress => '127.0.0.1',
        RemotePort    => $port,
        SuccessEvent  => 'connected',
        FailureEvent  => 'failed',
    );
}

POE::Kernel->run();
