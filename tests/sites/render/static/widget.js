window.cantieriWidget = { loaded: true };
