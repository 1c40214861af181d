#pragma once

namespace omniroute::testing {

// A TCP port on 127.0.0.1 that was free a moment ago: a random one below the kernel's ephemeral
// range (so client connections do not take it before the server binds it), else one bind(0)
// gave. Another test may still take it first: starters retry with a new port when a server
// exits at once.
int FreePort();

}  // namespace omniroute::testing
