-- Queue definitions kept between runs (kept_put.lua): "<P>:qc:<q>" -> {ver, conf}. Every writer of
-- a P:qc hash gives it a new version (queue_config_touch.lua), taken from one counter per
-- tenant (P:cfg 'qver') so that a deleted and recreated queue never repeats one.
local QUEUE_CACHE = {n = 0, max = 10000, t = {}}
