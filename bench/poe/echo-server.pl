#!/usr/bin/perl
# POE 1.370's Server::TCP line echo server: the count PoeSharp's examples/EchoServer is measured against.
use POE qw(Component::Server::TCP);
POE::Component::Server::TCP->new(
    Port        => 7777,
    ClientInput => sub { $_[HEAP]{client}->put($_[ARG0]) },
);
POE::Kernel->run;
