/* sim/tour.h - the guided tour (`kmm tour`). */
#ifndef KMM_SIM_TOUR_H
#define KMM_SIM_TOUR_H

#include <stdio.h>

/* Runs the tour; returns 0 if every step ran. */
int kmm_tour(FILE *out, FILE *err);

#endif
