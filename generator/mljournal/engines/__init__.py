"""Site engines: each turns the planned pages into a site. The core never imports one."""
