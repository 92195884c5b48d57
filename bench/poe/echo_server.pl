#!/usr/bin/perl
# POE 1.370 peer of IoQuickBenchmark: a Line-filter echo server on 127.0.0.1 (ephemeral port),
# SocketFactory + one ReadWrite wheel per connection, the same work as the PoeSharp server.
# Prints "port N" once listening; exits when its standard input is closed.
# Usage: perl echo_server.pl
use strict;
use warnings;
use IO::Handle;
use Socket qw(unpack_sockaddr_in);
use POE qw(Wheel::SocketFactory Wheel::ReadWrite Filter::Line Filter::Stream);

POE::Session->create(
    inline_states => {
        _start => sub {
            my $heap = $_[HEAP];
            $heap->{listener} = POE::Wheel::SocketFactory->new(
                BindAddress  => '127.0.0.1',
                BindPort     => 0,
                Reuse        => 'yes',
                SuccessEvent => 'accepted',
                FailureEvent => 'failed',
            );
            my ($port) = unpack_sockaddr_in($heap->{listener}->getsockname);
            $heap->{control} = POE::Wheel::ReadWrite->new(
                Handle     => \*STDIN,
                Filter     => POE::Filter::Stream->new,
                InputEvent => 'ignored',
                ErrorEvent => 'quit',
            );
            STDOUT->autoflush(1);
            print "port $port\n";
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
        input   => sub { $_[HEAP]{clients}{ $_[ARG1] }->put($_[ARG0]) },
        error   => sub { delete $_[HEAP]{clients}{ $_[ARG3] } },
        failed  => sub { die "$_[ARG0] failed: $_[ARG2]\n" },
        ignored => sub { },
        quit    => sub { delete @{ $_[HEAP] }{qw(listener control clients)} },
    },
);
POE::Kernel->run();
