-- Queue definitions kept between runs of the library's functions (its state lives as long as
-- it is loaded): "<P>:qc:<q>" -> {ver, conf}, at most QUEUE_CACHE_MAX (then emptied). Every
-- writer of a P:qc hash gives it a new version (queue_config_touch.lua), taken from one counter
-- per tenant (P:cfg 'qver') so that a deleted and recreated queue never repeats one.
local QUEUE_CACHE, QUEUE_CACHE_MAX = {n = 0}, 10000
