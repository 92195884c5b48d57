# Helpers shared by the prefork benchmark scripts (sourced, not run).

# free_port: an unused loopback port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# tree_cpu PGID: utime+stime (+ reaped children's) clock ticks of the group.
tree_cpu() {
  local g="$1" t=0 s d
  for d in /proc/[0-9]*; do
    s=$(cat "$d/stat" 2>/dev/null) || continue
    s=${s##*) }; set -- $s
    [[ "$3" == "$g" ]] && t=$((t + ${12} + ${13} + ${14} + ${15}))
  done
  echo "$t"
}
